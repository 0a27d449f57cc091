using QTickets.Core.Model;

namespace QTickets.Core.Transform;

/// <summary>
/// The events a command has seen, by id, including the ids found not to exist, so each event is fetched at most
/// once per command however many orders name it.
/// </summary>
public sealed class EventDirectory
{
    readonly Dictionary<long, Event?> _events = new();

    public EventDirectory(IEnumerable<Event>? events = null)
    {
        foreach (var ev in events ?? Array.Empty<Event>()) _events[ev.Id] = ev;
    }

    public int Count => _events.Count;

    /// <summary>True when the id was seen before: <paramref name="ev"/> is then the event, or null for a known miss.</summary>
    public bool TryGet(long id, out Event? ev) => _events.TryGetValue(id, out ev);

    /// <summary>Remembers a fetched event, or (null) that the id does not exist.</summary>
    public void Remember(long id, Event? ev) => _events[id] = ev;
}

/// <summary>
/// The one spelling of a city in every table (sales, dim_events, inventory). The dashboard joins sales to
/// events on event_id and city; the legacy wrote '' in one table and a lower-cased Python dict repr in the
/// other, so the join never matched. Here it is QTickets' own name, trimmed, as served.
/// </summary>
public static class CityName
{
    public static string Of(Event? ev) => ev is null ? "" : Normalize(ev.City);

    public static string Normalize(string? city) => (city ?? "").Trim();
}
