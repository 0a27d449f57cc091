namespace QTickets.Core.Contracts;

/// <summary>
/// What a legacy loader wrote since the last run, found by its fingerprints and removed: staging rows keyed by its
/// recipe (md5 of order, event, time and revenue, not of the order id alone) and dim_events rows whose city is a
/// Python dict. <see cref="Days"/> are the sale days of the removed staging rows, whose facts must be recomputed.
/// </summary>
public sealed class LegacyWrites
{
    public long StagingRows { get; init; }
    public long EventRows { get; init; }
    public long InventoryRows { get; init; }
    public IReadOnlyList<DateOnly> Days { get; init; } = Array.Empty<DateOnly>();

    public bool Any => StagingRows + EventRows + InventoryRows > 0;
}
