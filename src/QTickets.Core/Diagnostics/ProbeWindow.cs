namespace QTickets.Core.Diagnostics;

/// <summary>A half-open payment window [Start, End).</summary>
public readonly record struct ProbeWindow(DateTimeOffset Start, DateTimeOffset End)
{
    public bool Contains(DateTimeOffset t) => t >= Start && t < End;

    public override string ToString() => ProbeClock.Iso(Start) + " .. " + ProbeClock.Iso(End);
}

/// <summary>The payment windows the protocol asks for: the legacy's 30 days, and the 24 h / 90 d variants.</summary>
public enum ProbeWindowKind { Days30, Hours24, Days90 }

/// <summary>The windows of one run, all ending at the same instant (the start of the run).</summary>
public sealed class ProbeWindowSet(DateTimeOffset now)
{
    public DateTimeOffset Now { get; } = new(now.UtcDateTime.Ticks - now.UtcDateTime.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
    public ProbeWindow Days30 => new(Now.AddDays(-30), Now);
    public ProbeWindow Hours24 => new(Now.AddHours(-24), Now);
    public ProbeWindow Days90 => new(Now.AddDays(-90), Now);

    public ProbeWindow this[ProbeWindowKind kind] => kind switch
    {
        ProbeWindowKind.Hours24 => Hours24,
        ProbeWindowKind.Days90 => Days90,
        _ => Days30,
    };
}
