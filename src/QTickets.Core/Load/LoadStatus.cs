namespace QTickets.Core.Load;

/// <summary>How a load run ended (<see cref="LoadSummary.Status"/>).</summary>
public enum LoadStatus
{
    /// <summary>Loaded; ClickHouse equals the source over the window.</summary>
    Ok,
    /// <summary>Read and counted, nothing written (-DryRun, -WhatIf, QTICKETS_DRY_RUN).</summary>
    DryRun,
    /// <summary>Loaded, but some orders were rejected and wait in qtickets_rejected_orders (exit 8).</summary>
    Partial,
    /// <summary>Another run of the same job on the same database holds the lock (exit 4).</summary>
    Locked,
    Error,
}

/// <summary>The status as machines read it (JSON lines, meta_job_runs, cron logs): lower case, words joined by '-'.</summary>
public static class StatusText
{
    public static string Of(LoadStatus status) => status switch
    {
        LoadStatus.Ok => "ok",
        LoadStatus.DryRun => "dry-run",
        LoadStatus.Partial => "partial",
        LoadStatus.Locked => "locked",
        _ => "error",
    };
}
