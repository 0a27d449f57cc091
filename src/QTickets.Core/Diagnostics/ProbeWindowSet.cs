namespace QTickets.Core.Diagnostics;

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
