using QTickets.Core.Model;

namespace QTickets.Core.Transform;

/// <summary>
/// The _ver of a row made from the source: the newest time the source stamped on what the row is made of
/// (updated_at of the order and its baskets, of an event), as microseconds since the Unix epoch. The loader's
/// own clock takes no part, so a run on a clock ahead cannot outrank the rows of later runs: ReplacingMergeTree
/// keeps the row of the newest source state, and of two rows of the same state (a re-read, a repair) the one
/// inserted last, which is the newest conversion. Microseconds keep every such version above any epoch-second
/// version a database may already hold (rows versioned by a loader's clock), so such a row never outranks a fresh one.
/// </summary>
public static class RowVersion
{
    /// <summary>The version of an order's sales row.</summary>
    public static ulong Of(Order order)
    {
        var newest = order.UpdatedAt;
        foreach (var basket in order.Baskets)
            if (basket.UpdatedAt > newest) newest = basket.UpdatedAt;
        if (order.PayedAt is { } payed && payed > newest) newest = payed;
        if (order.DeletedAt is { } deleted && deleted > newest) newest = deleted;
        return Microseconds(newest);
    }

    /// <summary>The version of an event's dim_events row.</summary>
    public static ulong Of(Event ev) => Microseconds(ev.DeletedAt is { } deleted && deleted > ev.UpdatedAt ? deleted : ev.UpdatedAt);

    /// <summary>Microseconds since the epoch; a time before it (a missing timestamp) is 0.</summary>
    public static ulong Microseconds(DateTimeOffset time) =>
        time <= DateTimeOffset.UnixEpoch ? 0UL : (ulong)((time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10);
}
