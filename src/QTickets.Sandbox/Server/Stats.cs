using QTickets.Sandbox.Json;

namespace QTickets.Sandbox.Server;

/// <summary>Counters of API requests served (control endpoints are not counted).</summary>
internal sealed class Stats
{
    private readonly object _lock = new();
    private long _total;
    private readonly SortedDictionary<string, long> _byPath = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, long> _byStatus = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, SortedDictionary<string, long>> _byPathStatus = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, long> _faults = new(StringComparer.Ordinal);

    /// <param name="route">route template, e.g. "GET /orders/{id}"; unknown routes are "other"</param>
    /// <param name="status">HTTP status, or "reset" for an aborted connection</param>
    public void Record(string route, string status, string? fault)
    {
        lock (_lock)
        {
            _total++;
            _byPath[route] = _byPath.GetValueOrDefault(route) + 1;
            _byStatus[status] = _byStatus.GetValueOrDefault(status) + 1;
            if (!_byPathStatus.TryGetValue(route, out var d)) _byPathStatus[route] = d = new(StringComparer.Ordinal);
            d[status] = d.GetValueOrDefault(status) + 1;
            if (fault is not null) _faults[fault] = _faults.GetValueOrDefault(fault) + 1;
        }
    }

    public void Reset()
    {
        lock (_lock) { _total = 0; _byPath.Clear(); _byStatus.Clear(); _byPathStatus.Clear(); _faults.Clear(); }
    }

    public JObject ToNode()
    {
        lock (_lock)
        {
            static JObject Map(SortedDictionary<string, long> m)
            {
                var o = new JObject();
                foreach (var kv in m) o.Add(kv.Key, kv.Value);
                return o;
            }
            var ps = new JObject();
            foreach (var kv in _byPathStatus) ps.Add(kv.Key, Map(kv.Value));
            return new JObject().Add("total", _total).Add("byPath", Map(_byPath)).Add("byStatus", Map(_byStatus))
                .Add("byPathStatus", ps).Add("faults", Map(_faults));
        }
    }
}
