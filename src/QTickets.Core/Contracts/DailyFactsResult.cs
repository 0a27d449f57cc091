namespace QTickets.Core.Contracts;

/// <summary>What one recomputation of the daily facts wrote.</summary>
public sealed class DailyFactsResult
{
    public IReadOnlyList<DateOnly> Days { get; init; } = Array.Empty<DateOnly>();
    public long SalesDailyRows { get; init; }
    public long SalesUtmDailyRows { get; init; }
    public ulong Version { get; init; }

    public override string ToString() => $"{Days.Count} days: {SalesDailyRows} daily rows, {SalesUtmDailyRows} UTM daily rows";
}
