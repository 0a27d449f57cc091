using QTickets.Store;
using QTickets.Transform;

namespace QTickets.Webhooks;

/// <summary>
/// A <see cref="SalesRow"/> as values in the staging table's column order, with the version the receiver decided
/// (<see cref="StagingCommitter"/>). Columns the row does not carry are left out, so they take their defaults.
/// </summary>
public sealed class SalesRowValues
{
    static readonly Dictionary<string, Func<SalesRow, object?>> s_getters = new(StringComparer.Ordinal)
    {
        ["order_id"] = r => r.order_id, ["event_id"] = r => r.event_id, ["city"] = r => r.city,
        ["utm_source"] = r => r.utm_source, ["utm_medium"] = r => r.utm_medium, ["utm_campaign"] = r => r.utm_campaign,
        ["utm_content"] = r => r.utm_content, ["utm_term"] = r => r.utm_term, ["sale_ts"] = r => r.sale_ts,
        ["tickets_sold"] = r => r.tickets_sold, ["revenue"] = r => r.revenue, ["currency"] = r => r.currency,
        ["payload_json"] = r => r.payload_json, ["_dedup_key"] = r => r._dedup_key,
    };

    readonly Func<SalesRow, object?>?[] _getters;
    readonly int _version = -1;

    public SalesRowValues(IReadOnlyList<TableColumn> tableColumns)
    {
        var columns = new List<TableColumn>();
        var getters = new List<Func<SalesRow, object?>?>();
        foreach (var c in tableColumns)
        {
            if (c.Name == "_ver") { _version = columns.Count; columns.Add(c); getters.Add(null); continue; }
            if (!s_getters.TryGetValue(c.Name, out var get)) continue;
            columns.Add(c);
            getters.Add(get);
        }
        if (_version < 0 || !columns.Exists(c => c.Name == "_dedup_key"))
            throw new InvalidOperationException($"{KnownTables.OrdersStaging} has no _ver or _dedup_key column: run Initialize-QTicketsClickHouse.");
        Columns = columns;
        _getters = getters.ToArray();
    }

    public IReadOnlyList<TableColumn> Columns { get; }

    public object?[] Of(SalesRow row, ulong version)
    {
        var values = new object?[_getters.Length];
        for (var i = 0; i < values.Length; i++) values[i] = i == _version ? version : _getters[i]!(row);
        return values;
    }
}
