namespace QTickets.Core.Contracts;

/// <summary>
/// What ClickHouse says about how fresh the loaded data is (Test-QTicketsFreshness judges it). Times are the
/// tables' wall-clock values (the loader writes Moscow time, or the configured TZ), null when a table is empty.
/// </summary>
public sealed record FreshnessFacts
{
    /// <summary>max(sale_ts) of the sales rows with tickets in staging FINAL.</summary>
    public DateTime? NewestSale { get; init; }
    /// <summary>max(snapshot_ts) of the latest inventory snapshot.</summary>
    public DateTime? NewestInventory { get; init; }
    /// <summary>meta_job_runs rows of the job started at or after the requested wall-clock time.</summary>
    public long Runs { get; init; }
    public long FailedRuns { get; init; }
    /// <summary>The newest run's status and start (any age), null before the first run.</summary>
    public string? LastRunStatus { get; init; }
    public DateTime? LastRunAt { get; init; }
    public DateTime? LastOkRunAt { get; init; }
    /// <summary>Orders of the job open in qtickets_rejected_orders: sales missing from ClickHouse until they load.</summary>
    public long OpenRejectedOrders { get; init; }
}
