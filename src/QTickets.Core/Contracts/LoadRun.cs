using QTickets.Core.Load;

namespace QTickets.Core.Contracts;

/// <summary>
/// One loader run as a meta_job_runs row (legacy columns). The loader fills it; message and metrics are JSON
/// and must hold counts and error kinds only, never a secret or a personal datum (the store also blanks the
/// ClickHouse password should it appear).
/// </summary>
public sealed class LoadRun
{
    public string Job { get; init; } = "qtickets_api";
    public Guid RunId { get; init; } = Guid.NewGuid();
    /// <summary>Naive wall-clock in the configured zone (Moscow), like the legacy.</summary>
    public DateTime StartedAt { get; init; }
    public DateTime FinishedAt { get; init; }
    /// <summary>
    /// 'ok' or 'error' (the legacy vocabulary the dashboards read), or 'partial': loaded, but some orders were
    /// rejected and wait in qtickets_rejected_orders (counted as failed by anything that counts status != 'ok').
    /// </summary>
    public LoadStatus Status { get; init; } = LoadStatus.Ok;
    public ulong RowsProcessed { get; init; }
    public string Message { get; init; } = "";
    public string Metrics { get; init; } = "";
}
