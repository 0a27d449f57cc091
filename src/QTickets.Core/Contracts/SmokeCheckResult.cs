namespace QTickets.Core.Contracts;

/// <summary>One legacy smoke check (facts §3.12): Test-QTicketsClickHouse emits one per check.</summary>
public sealed class SmokeCheckResult
{
    public string Name { get; init; } = "";
    public bool Passed { get; init; }
    /// <summary>The measured value as text (a count, a date, a percentage).</summary>
    public string Value { get; init; } = "";
    public string Detail { get; init; } = "";

    public override string ToString() => $"{(Passed ? "PASS" : "FAIL")} {Name} = {Value} {Detail}".TrimEnd();
}
