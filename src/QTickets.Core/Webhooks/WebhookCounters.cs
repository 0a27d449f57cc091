namespace QTickets.Core.Webhooks;

/// <summary>What the receiver answered so far, by kind (the summary a stopped receiver prints).</summary>
public sealed class WebhookCounters
{
    long _staged, _unchanged, _notSold, _rejected, _unauthorized, _refused, _unavailable;

    public long Staged => Interlocked.Read(ref _staged);
    /// <summary>Duplicates, retries and late or out-of-order deliveries: staging already held that state or a newer one.</summary>
    public long Unchanged => Interlocked.Read(ref _unchanged);
    /// <summary>Orders never paid (a reservation, an expired one): nothing to stage.</summary>
    public long NotSold => Interlocked.Read(ref _notSold);
    /// <summary>Orders the converter rejects (unreadable values, an unknown event); the scheduled load records them.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);
    public long Unauthorized => Interlocked.Read(ref _unauthorized);
    /// <summary>Wrong method, path, size, or a body that is not an order.</summary>
    public long Refused => Interlocked.Read(ref _refused);
    /// <summary>Answered 503: ClickHouse or the API failed, QTickets retries.</summary>
    public long Unavailable => Interlocked.Read(ref _unavailable);

    internal void CountStaged() => Interlocked.Increment(ref _staged);
    internal void CountUnchanged() => Interlocked.Increment(ref _unchanged);
    internal void CountNotSold() => Interlocked.Increment(ref _notSold);
    internal void CountRejected() => Interlocked.Increment(ref _rejected);
    internal void CountUnauthorized() => Interlocked.Increment(ref _unauthorized);
    internal void CountRefused() => Interlocked.Increment(ref _refused);
    internal void CountUnavailable() => Interlocked.Increment(ref _unavailable);

    public override string ToString() =>
        $"{Staged} staged, {Unchanged} unchanged (duplicate or older), {NotSold} not sold, {Rejected} rejected, " +
        $"{Unauthorized} bad signature, {Refused} refused, {Unavailable} answered 503";
}
