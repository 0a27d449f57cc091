using QTickets.Core.Contracts;

namespace QTickets.Core.Reconcile;

/// <summary>
/// Lines the three sides up by (day, event) and compares them. A key present on any side gets a row (a side
/// without it reads 0), so an order staged under a day the API no longer has, or a fact row left behind, shows
/// up as a difference too. Revenue is compared in kopecks: each side is rounded to 2 decimals first (the facts
/// keep Float64).
/// </summary>
public static class ReconcileComparer
{
    public static IReadOnlyList<ReconcileRow> Compare(
        IEnumerable<DailyTotals> api, IEnumerable<DailyTotals> staging, IEnumerable<DailyTotals> facts)
    {
        var a = Index(api);
        var s = Index(staging);
        var f = Index(facts);
        return a.Keys.Union(s.Keys).Union(f.Keys)
            .OrderBy(k => k.Day).ThenBy(k => k.EventId.Length).ThenBy(k => k.EventId, StringComparer.Ordinal)
            .Select(k =>
            {
                a.TryGetValue(k, out var x);
                s.TryGetValue(k, out var y);
                f.TryGetValue(k, out var z);
                return new ReconcileRow
                {
                    sales_date = k.Day,
                    event_id = k.EventId,
                    api_orders = x?.PaidOrders ?? 0,
                    api_tickets = x?.Tickets ?? 0,
                    api_revenue = Money(x?.Revenue ?? 0),
                    staging_orders = y?.PaidOrders ?? 0,
                    staging_tickets = y?.Tickets ?? 0,
                    staging_revenue = Money(y?.Revenue ?? 0),
                    facts_tickets = z?.Tickets ?? 0,
                    facts_revenue = Money(z?.Revenue ?? 0),
                };
            })
            .ToList();
    }

    /// <summary>The days with at least one differing row, ascending.</summary>
    public static IReadOnlyList<DateOnly> DifferingDays(IEnumerable<ReconcileRow> rows) =>
        rows.Where(r => r.differs).Select(r => r.sales_date).Distinct().Order().ToList();

    static decimal Money(decimal value) => Math.Round(value, 2, MidpointRounding.AwayFromZero);

    static Dictionary<(DateOnly Day, string EventId), DailyTotals> Index(IEnumerable<DailyTotals> side)
    {
        var index = new Dictionary<(DateOnly, string), DailyTotals>();
        foreach (var t in side)
        {
            // A side may come in pieces (e.g. facts per city): sum them.
            var key = (t.Day, t.EventId);
            index[key] = index.TryGetValue(key, out var had)
                ? had with { PaidOrders = had.PaidOrders + t.PaidOrders, Tickets = had.Tickets + t.Tickets, Revenue = had.Revenue + t.Revenue, MaxVersion = Math.Max(had.MaxVersion, t.MaxVersion) }
                : t;
        }
        return index;
    }
}
