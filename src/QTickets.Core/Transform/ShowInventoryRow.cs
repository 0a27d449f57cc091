namespace QTickets.Core.Transform;

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
