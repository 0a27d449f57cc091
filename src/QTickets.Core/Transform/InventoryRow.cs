using QTickets.Core.Contracts;

namespace QTickets.Core.Transform;

/// <summary>
/// Tickets of one event at one moment, summed over its shows: a row of `stg_qtickets_api_inventory_raw`
/// (and, without _dedup_key, of `fact_qtickets_inventory_latest`), columns named and ordered like the tables.
/// Zero is zero: a sold-out event has tickets_left 0, not NULL as in the legacy.
/// </summary>
public sealed class InventoryRow
{
    /// <summary>When the seats were read, naive wall-clock in the configured zone; one value per command run.</summary>
    public DateTime snapshot_ts { get; init; }
    public string event_id { get; init; } = "";
    public string event_name { get; init; } = "";
    public string city { get; init; } = "";
    /// <summary>Σ max_quantity over the seats of every show read.</summary>
    public uint tickets_total { get; init; }
    /// <summary>Σ free_quantity over the seats of every show read.</summary>
    public uint tickets_left { get; init; }
    public ulong _ver { get; init; }
    /// <summary><see cref="DedupKey.ForInventory"/>: md5 of event id and snapshot time.</summary>
    public string _dedup_key { get; init; } = "";
    /// <summary>Shows whose seats were summed (the event's shows not deleted).</summary>
    [NotStored] public int shows { get; init; }

    public override string ToString() => $"InventoryRow {event_id} {tickets_left}/{tickets_total}";
}
