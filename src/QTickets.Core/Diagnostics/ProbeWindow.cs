namespace QTickets.Core.Diagnostics;

/// <summary>A half-open payment window [Start, End).</summary>
public readonly record struct ProbeWindow(DateTimeOffset Start, DateTimeOffset End)
{
    public bool Contains(DateTimeOffset t) => t >= Start && t < End;

    public override string ToString() => ProbeClock.Iso(Start) + " .. " + ProbeClock.Iso(End);
}
