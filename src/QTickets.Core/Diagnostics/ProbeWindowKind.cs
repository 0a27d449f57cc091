namespace QTickets.Core.Diagnostics;

/// <summary>The payment windows the protocol asks for: the legacy's 30 days, and the 24 h / 90 d variants.</summary>
public enum ProbeWindowKind { Days30, Hours24, Days90 }
