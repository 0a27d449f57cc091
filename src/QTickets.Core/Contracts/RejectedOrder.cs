namespace QTickets.Core.Contracts;

/// <summary>
/// One order the loader could not load (an unreadable value, an event nobody knows), as a row of
/// qtickets_rejected_orders: kept open, and retried by id on every later run, until it loads or a person closes it.
/// <see cref="Problem"/> names fields and the values of amounts, ids and timestamps only, never personal data.
/// </summary>
public sealed record RejectedOrder
{
    public string Job { get; init; } = "";
    /// <summary>The id as served (text: an id that is not a number is recorded as it came).</summary>
    public string OrderId { get; init; } = "";
    public string Problem { get; init; } = "";
    /// <summary><see cref="RejectedOrderState"/>: open, loaded, or what a person set (ignored).</summary>
    public string State { get; init; } = RejectedOrderState.Open;
    /// <summary>Wall-clock times in the configured zone, like meta_job_runs.</summary>
    public DateTime FirstSeen { get; init; }
    public DateTime LastSeen { get; init; }
    /// <summary>Runs that tried this order (the first rejection counts as 1).</summary>
    public uint Attempts { get; init; }
    /// <summary>The run that wrote this version of the row.</summary>
    public Guid RunId { get; init; }
    /// <summary>A person's note (why it was ignored); the loader keeps whatever is there.</summary>
    public string Note { get; init; } = "";
    /// <summary>ReplacingMergeTree version: one above the table's highest when written, so no clock can reorder the rows.</summary>
    public ulong Version { get; init; }

    /// <summary>Open rows are retried; loaded rows are done; any other state is a person's decision to stop retrying.</summary>
    public bool IsOpen => State == RejectedOrderState.Open;
}

public static class RejectedOrderState
{
    public const string Open = "open";
    public const string Loaded = "loaded";
    /// <summary>Set by a person (README: rejected orders): the loader no longer retries the order nor fails on it.</summary>
    public const string Ignored = "ignored";
}
