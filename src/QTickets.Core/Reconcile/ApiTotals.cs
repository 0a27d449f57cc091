using QTickets.Core.Model;
using QTickets.Core.Transform;
using QTickets.Core.Contracts;

namespace QTickets.Core.Reconcile;

/// <summary>
/// What each sale day and event should hold, recomputed from orders the API serves, by the loader's own rules:
/// every order goes through <see cref="SalesRowConverter"/> (so counting is <see cref="OrderStatusRules"/>' alone,
/// and a sale day is the day of payed_at in the loader's zone), and its row is summed like the daily facts sum
/// staging. Orders the loader would reject are counted apart, never guessed at; orders outside the days or
/// events asked for are left out.
/// </summary>
/// <param name="events">Event ids to keep (as staging spells them); null or empty keeps all.</param>
public sealed class ApiTotals(WallClock clock, DateOnly from, DateOnly to, IReadOnlySet<string>? events = null)
{
    readonly SalesRowConverter _converter = new(clock, 0);
    readonly IReadOnlySet<string>? _events = events is { Count: > 0 } ? events : null;
    readonly Dictionary<(DateOnly, string), (long Orders, long Tickets, decimal Revenue)> _sums = new();
    readonly HashSet<long> _seen = new();

    /// <summary>Orders read (each id once).</summary>
    public int Orders { get; private set; }

    /// <summary>Orders the loader would reject (no id, unreadable, paid without payment time, unknown event): not in any day.</summary>
    public int Rejected { get; private set; }

    public void Add(Order order, Event? ev)
    {
        if (order.Id > 0 && !_seen.Add(order.Id)) return;
        Orders++;
        var row = _converter.ToSalesRow(order, ev, out var rejection);
        if (rejection is not null) { Rejected++; return; }
        if (row is null) return;
        var day = DateOnly.FromDateTime(row.sale_ts);
        if (day < from || day > to) return;
        if (_events is not null && !_events.Contains(row.event_id)) return;
        var key = (day, row.event_id);
        _sums.TryGetValue(key, out var sum);
        _sums[key] = (sum.Orders + (row.tickets_sold > 0 ? 1 : 0), sum.Tickets + row.tickets_sold, sum.Revenue + row.revenue);
    }

    /// <summary>One entry per day and event that has an order with a payment time (also when all of it was refunded).</summary>
    public IReadOnlyList<DailyTotals> Totals() => _sums
        .OrderBy(kv => kv.Key.Item1).ThenBy(kv => kv.Key.Item2, StringComparer.Ordinal)
        .Select(kv => new DailyTotals(kv.Key.Item1, kv.Key.Item2, kv.Value.Orders, kv.Value.Tickets, kv.Value.Revenue))
        .ToList();
}
