namespace QTickets.Core.Contracts;

public sealed record WriteOptions
{
    /// <summary>Rows per INSERT (one deduplication token each).</summary>
    public int BatchSize { get; init; } = 100_000;

    /// <summary>Batches the pipeline may run ahead of the insert in progress: bounds memory at (this + 1) batches.</summary>
    public int BatchesInFlight { get; init; } = 1;

    /// <summary>Total rows when known in advance (percent in progress records); -1 otherwise.</summary>
    public long ExpectedRows { get; init; } = -1;

    /// <summary>
    /// gzip the insert bodies. Null (the default): compress unless ClickHouse is on this machine, where it would
    /// only spend the CPU the server needs to parse the rows.
    /// </summary>
    public bool? Compress { get; init; }

    /// <summary>
    /// Mixed into every batch's deduplication token: a retried batch of this writer is still kept once, but the
    /// same rows written under another scope are inserted again. Null: the token is the content alone.
    /// </summary>
    public string? DeduplicationScope { get; init; }

    /// <summary>
    /// Typed rows only: stored properties of the row type that this table does not hold, by name, so writing a
    /// row type to a narrower table is explicit and a renamed property still fails.
    /// </summary>
    public IReadOnlyList<string> Omitted { get; init; } = Array.Empty<string>();

    /// <summary>Progress activity id, stable per table so the Completed record closes the right bar.</summary>
    public int ProgressId { get; init; } = 1;
}
