using System.Globalization;
using QTickets.Core.Model;
using QTickets.Core.Contracts;

namespace QTickets.Core.Load;

/// <summary>
/// The rejected orders of one run, against those already recorded in qtickets_rejected_orders: which to retry by
/// id, which a rejection opens or keeps open, which loaded at last, and which a person told the loader to ignore.
/// The run is "partial" (exit 8) while <see cref="Open"/> is above 0: an order the loader could not read is sales
/// missing from ClickHouse until it loads.
/// </summary>
/// <param name="known">The table's latest row of every order not loaded yet (open, or closed by a person).</param>
/// <param name="now">Wall-clock time of the run (first_seen, last_seen).</param>
/// <param name="lastVersion">The highest version in the table (any order, any state): this run writes the next one,
/// so its rows replace every earlier row whatever the clocks of the runs said.</param>
public sealed class RejectedOrderBook(string job, Guid runId, DateTime now, IEnumerable<RejectedOrder> known, ulong lastVersion)
{
    readonly ulong _version = lastVersion + 1;
    readonly Dictionary<string, RejectedOrder> _known = known.ToDictionary(r => r.OrderId, StringComparer.Ordinal);
    readonly Dictionary<string, RejectedOrder> _changes = new(StringComparer.Ordinal);

    /// <summary>Open orders with a numeric id that this run has not met yet: to be fetched by id.</summary>
    public IReadOnlyList<long> ToRetry() => _known.Values
        .Where(r => r.IsOpen && !_changes.ContainsKey(r.OrderId))
        .Select(r => long.TryParse(r.OrderId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 ? id : 0)
        .Where(id => id > 0).Order().ToList();

    /// <summary>Records a rejection. False when a person marked the order ignored: it then does not keep the run from ok.</summary>
    public bool Reject(Order order, string problem)
    {
        var key = KeyOf(order);
        var previous = _changes.GetValueOrDefault(key) ?? _known.GetValueOrDefault(key);
        if (previous is not null && !previous.IsOpen && previous.State != RejectedOrderState.Loaded)
        {
            IgnoredSeen++;
            return false;
        }
        var earlier = _known.GetValueOrDefault(key);
        _changes[key] = new RejectedOrder
        {
            Job = job, OrderId = key, Problem = problem, State = RejectedOrderState.Open,
            FirstSeen = earlier?.FirstSeen ?? now, LastSeen = now, Attempts = (earlier?.Attempts ?? 0) + 1,
            RunId = runId, Note = earlier?.Note ?? "", Version = _version,
        };
        return true;
    }

    /// <summary>The order went through (a row, or nothing to load): an open entry of it is closed as loaded.</summary>
    public void Loaded(Order order)
    {
        if (_known.Count == 0) return;
        var key = KeyOf(order);
        if (_known.GetValueOrDefault(key) is not { IsOpen: true } earlier) return;
        _changes[key] = earlier with
        {
            State = RejectedOrderState.Loaded, LastSeen = now, Attempts = earlier.Attempts + 1, RunId = runId, Version = _version,
        };
        Reloaded++;
    }

    /// <summary>A retry that could not even fetch the order (the API answered 404): it stays open, saying so.</summary>
    public void NotFound(long id) =>
        Reject(new Order { Id = id, SourceId = id.ToString(CultureInfo.InvariantCulture) },
            $"GET /orders/{id.ToString(CultureInfo.InvariantCulture)} answered 404 (not found)");

    /// <summary>Rows to write: this run's rejections and the orders that loaded at last.</summary>
    public IReadOnlyList<RejectedOrder> Changes => _changes.Values.OrderBy(r => r.OrderId, StringComparer.Ordinal).ToList();

    /// <summary>Orders open after this run: rejected now, or still open from earlier runs (an id that cannot be fetched).</summary>
    public int Open => _changes.Values.Count(r => r.IsOpen) + _known.Values.Count(r => r.IsOpen && !_changes.ContainsKey(r.OrderId));

    /// <summary>Open orders after this run, with their problems (first few, for the run's message).</summary>
    public IEnumerable<RejectedOrder> OpenOrders => _changes.Values.Where(r => r.IsOpen)
        .Concat(_known.Values.Where(r => r.IsOpen && !_changes.ContainsKey(r.OrderId)))
        .OrderBy(r => r.OrderId.Length).ThenBy(r => r.OrderId, StringComparer.Ordinal);

    /// <summary>Earlier rejections that loaded in this run.</summary>
    public int Reloaded { get; private set; }

    /// <summary>Rejections of orders a person marked ignored.</summary>
    public int IgnoredSeen { get; private set; }

    /// <summary>How an order is named in the table: its id, or the id text as served when that is not a number.</summary>
    public static string KeyOf(Order order) => order.Id > 0
        ? order.Id.ToString(CultureInfo.InvariantCulture)
        : order.SourceId.Length > 0 ? order.SourceId : "(no id)";
}
