using QTickets.Core.Model;

namespace QTickets.Core.Transform;

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
