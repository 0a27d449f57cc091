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
    /// <summary>
    /// Stopped on purpose before it finished (Ctrl+C, SIGINT): nothing went wrong, so it is neither ok nor a failure;
    /// what it wrote is idempotent and the next run covers its window (exit 130).
    /// </summary>
    Stopped,
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
        LoadStatus.Stopped => "stopped",
        _ => "error",
    };
}

/// <summary>
/// Process exit codes of the scheduled loader (scripts/Invoke-QTicketsLoader.ps1), documented in README and
/// about_QTickets. Distinct codes let cron wrappers and monitoring tell "try again later" from "fix me".
/// </summary>
public enum LoadExitCode
{
    /// <summary>Everything of the run is committed; the watermark moved.</summary>
    Ok = 0,
    /// <summary>An unexpected failure; see the message and meta_job_runs.</summary>
    Failed = 1,
    /// <summary>Configuration is missing or malformed (token, URL, ports, env files). Fix the configuration.</summary>
    ConfigError = 2,
    /// <summary>QTickets rejected the token (HTTP 403). Check QTICKETS_TOKEN.</summary>
    AuthError = 3,
    /// <summary>Another run holds the lock; this run did nothing.</summary>
    Locked = 4,
    /// <summary>The QTickets API stayed unavailable (5xx, 429, timeouts) beyond the retries and deadline.</summary>
    ApiUnavailable = 5,
    /// <summary>ClickHouse refused or failed (connection, credentials, permissions, schema).</summary>
    ClickHouseError = 6,
    /// <summary>Reconciliation found a difference between the API and ClickHouse.</summary>
    Drift = 7,
    /// <summary>
    /// Loaded, but some orders were rejected (an unreadable value, an unknown event): their sales are missing from
    /// ClickHouse. They are recorded in qtickets_rejected_orders and retried by id on every later run.
    /// </summary>
    Rejected = 8,
    /// <summary>
    /// The run lock could not be taken for another reason than a live holder (a read-only, full or missing lock
    /// folder, no permission): nothing was loaded, and every later run will fail the same way until it is fixed.
    /// </summary>
    LockFailed = 9,
    /// <summary>
    /// The legacy Python loader still writes into the database: what it wrote was removed and its days recomputed,
    /// but every run fails until its timer (or cron entry) is stopped.
    /// </summary>
    LegacyLoader = 10,
    /// <summary>
    /// Stopped by Ctrl+C or SIGINT before it finished: recorded as 'stopped', which freshness ignores. 130 is what
    /// shells report for a command ended by SIGINT (128 + 2).
    /// </summary>
    Stopped = 130,
}
