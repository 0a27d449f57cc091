namespace QTickets.Core.Contracts;

/// <summary>
/// Marks a property of a row type that is not a column. Every other public property of a type written with
/// <see cref="IClickHouseStore.OpenWriterAsync{T}"/> is one, named like the column, so the column list comes from the
/// type and a rename is a compile-time or first-write error, never a silently empty column.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class NotStoredAttribute : Attribute;

/// <summary>One table's streaming insert of typed rows: each row is encoded through accessors bound once per writer.</summary>
public interface ITableWriter<in T> : IAsyncDisposable
{
    /// <summary>Queues one row; waits while the channel is full.</summary>
    ValueTask AddAsync(T row, CancellationToken cancellation);

    /// <summary>Flushes the last batch, waits for every insert, and tells what was written.</summary>
    Task<WriteResult> CompleteAsync(CancellationToken cancellation);
}
