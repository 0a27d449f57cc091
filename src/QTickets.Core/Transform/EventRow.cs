using System.Globalization;
using QTickets.Core.Model;

namespace QTickets.Core.Transform;

/// <summary>
/// A dim_events row (legacy columns). The legacy stored a dict repr as the city and NULL dates
/// (the dates live in the shows); here the city has the one spelling of <see cref="CityName"/> and the dates
/// span the event's live shows, as Moscow dates.
/// </summary>
public sealed class EventRow
{
    public string event_id { get; init; } = "";
    public string event_name { get; init; } = "";
    public string city { get; init; } = "";
    public DateTime? start_date { get; init; }
    public DateTime? end_date { get; init; }
    public ulong _ver { get; init; }

    public static EventRow Of(Event ev, WallClock clock, ulong version)
    {
        var shows = ev.Shows.Where(s => s.DeletedAt is null).ToList();
        var starts = shows.Where(s => s.StartDate is not null).Select(s => clock.Of(s.StartDate!.Value).Date).ToList();
        var ends = shows.Select(s => s.FinishDate ?? s.StartDate).Where(t => t is not null).Select(t => clock.Of(t!.Value).Date).ToList();
        return new EventRow
        {
            event_id = ev.Id.ToString(CultureInfo.InvariantCulture),
            event_name = ev.Name.Trim(),
            city = CityName.Of(ev),
            start_date = starts.Count == 0 ? null : starts.Min(),
            end_date = ends.Count == 0 ? null : ends.Max(),
            _ver = version,
        };
    }
}
