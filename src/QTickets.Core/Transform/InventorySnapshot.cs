using QTickets.Core.Contracts;
using QTickets.Core.Model;
using System.Globalization;

namespace QTickets.Core.Transform;

/// <summary>
/// Inventory rows of one run: every row shares one snapshot time (so one run's rows are one snapshot in
/// ClickHouse) and one _ver. Quantities are summed as the API gives them, Σ max_quantity and Σ free_quantity
/// per show (the legacy counted seat entries, so a standing zone of 500 counted as 1).
/// </summary>
public sealed class InventorySnapshot(DateTimeOffset takenAt, WallClock clock, ulong version)
{
    public DateTimeOffset TakenAt { get; } = takenAt;

    /// <summary>Whole seconds: the DateTime column keeps no more, and the _dedup_key must match what is stored.</summary>
    public DateTime SnapshotTs { get; } = TruncateToSeconds(clock.Of(takenAt));

    public ulong Version { get; } = version;

    /// <summary>The shows whose seats make an event's inventory: all but deleted ones (past shows included, as the Apps Script did).</summary>
    public static IEnumerable<Show> ShowsOf(Event ev) => ev.Shows.Where(s => s.DeletedAt is null);

    public ShowInventoryRow ForShow(Event ev, Show show, long maxQuantity, long freeQuantity, int seats) => new()
    {
        snapshot_ts = SnapshotTs,
        event_id = ev.Id.ToString(CultureInfo.InvariantCulture),
        show_id = show.Id.ToString(CultureInfo.InvariantCulture),
        show_start = show.StartDate is { } start ? clock.Of(start) : null,
        event_name = ev.Name.Trim(),
        city = CityName.Of(ev),
        tickets_total = Count(maxQuantity),
        tickets_left = Count(freeQuantity),
        seats = seats,
    };

    /// <summary>The event's row: the sums of its shows' rows; an event without shows has 0 and 0.</summary>
    public InventoryRow ForEvent(Event ev, IReadOnlyCollection<ShowInventoryRow> shows)
    {
        ulong total = 0, left = 0;
        foreach (var s in shows)
        {
            total += s.tickets_total;
            left += s.tickets_left;
        }
        return new InventoryRow
        {
            snapshot_ts = SnapshotTs,
            event_id = ev.Id.ToString(CultureInfo.InvariantCulture),
            event_name = ev.Name.Trim(),
            city = CityName.Of(ev),
            tickets_total = (uint)Math.Min(total, uint.MaxValue),
            tickets_left = (uint)Math.Min(left, uint.MaxValue),
            _ver = Version,
            _dedup_key = DedupKey.ForInventory(ev.Id, SnapshotTs),
            shows = shows.Count,
        };
    }

    // The columns are UInt32: a negative quantity (never seen) is 0 rather than a wrapped huge number.
    static uint Count(long quantity) => (uint)Math.Clamp(quantity, 0, uint.MaxValue);

    static DateTime TruncateToSeconds(DateTime t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerSecond, t.Kind);
}

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

/// <summary>
/// Tickets of one show (a date of an event), from `/shows/{id}/seats`: the detail behind an
/// <see cref="InventoryRow"/>, emitted with Get-QTicketsInventory -PerShow. Not a table row of its own.
/// </summary>
public sealed class ShowInventoryRow
{
    public DateTime snapshot_ts { get; init; }
    public string event_id { get; init; } = "";
    public string show_id { get; init; } = "";
    /// <summary>The show's start, naive wall-clock in the configured zone; null when the event does not say.</summary>
    public DateTime? show_start { get; init; }
    public string event_name { get; init; } = "";
    public string city { get; init; } = "";
    public uint tickets_total { get; init; }
    public uint tickets_left { get; init; }
    /// <summary>Seat entries in the map (a standing zone is one entry with a large max_quantity).</summary>
    public int seats { get; init; }

    public override string ToString() => $"ShowInventoryRow {event_id}/{show_id} {tickets_left}/{tickets_total}";
}
