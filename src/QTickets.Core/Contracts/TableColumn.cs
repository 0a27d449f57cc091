namespace QTickets.Core.Contracts;

/// <summary>A column as DESCRIBE TABLE reports it.</summary>
public sealed record TableColumn(string Name, string Type);
