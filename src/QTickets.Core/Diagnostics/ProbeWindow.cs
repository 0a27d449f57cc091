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
public sealed class ProbeWindowSet
{
    public ProbeWindowSet(DateTimeOffset now)
    {
        Now = new DateTimeOffset(now.UtcDateTime.Ticks - now.UtcDateTime.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        Days30 = new ProbeWindow(Now.AddDays(-30), Now);
        Hours24 = new ProbeWindow(Now.AddHours(-24), Now);
        Days90 = new ProbeWindow(Now.AddDays(-90), Now);
    }

    public DateTimeOffset Now { get; }
    public ProbeWindow Days30 { get; }
    public ProbeWindow Hours24 { get; }
    public ProbeWindow Days90 { get; }

    public ProbeWindow this[ProbeWindowKind kind] => kind switch
    {
        ProbeWindowKind.Hours24 => Hours24,
        ProbeWindowKind.Days90 => Days90,
        _ => Days30,
    };
}
