using QTickets.Core.Contracts;
using QTickets.Core.Json;

namespace QTickets.Core.Transform;

/// <summary>
/// One paid order as a row of `stg_qtickets_api_orders_raw`. The properties are named exactly like the
/// legacy staging columns and declared in their order, so Export-Csv and the ClickHouse writer take them as
/// they are; every value is a scalar and every row has the same properties, so the first row's columns
/// (which Export-Csv fixes) fit every row. <see cref="SaleUtc"/> comes last: it is not a staging column
/// (the writer selects columns by name) but support staff comparing with the API's own timestamps need it.
/// </summary>
public sealed class SalesRow
{
    public string order_id { get; init; } = "";
    public string event_id { get; init; } = "";
    /// <summary>The event's city as QTickets spells it (<see cref="CityName"/>): the dashboards join on it.</summary>
    public string city { get; init; } = "";
    public string utm_source { get; init; } = "";
    public string utm_medium { get; init; } = "";
    public string utm_campaign { get; init; } = "";
    public string utm_content { get; init; } = "";
    public string utm_term { get; init; } = "";
    /// <summary>Payment time as naive wall-clock in the configured zone (Moscow by default), like the legacy.</summary>
    public DateTime sale_ts { get; init; }
    /// <summary>Tickets still sold: live baskets only (OrderStatusRules); 0 once all were cancelled or refunded.</summary>
    public uint tickets_sold { get; init; }
    /// <summary>What the order still earns: live baskets' prices minus partial refunds (OrderStatusRules.LiveRevenue).</summary>
    public decimal revenue { get; init; }
    public string currency { get; init; } = "";
    /// <summary>
    /// The order as served minus every personal field (Json/PersonalData.cs), as JSON text. A string because
    /// ConvertTo-Json, Export-Csv and people read it; the writer sends <see cref="PayloadUtf8"/>, so the loader never
    /// makes this string.
    /// </summary>
    [StoredFrom(nameof(PayloadUtf8))]
    public string payload_json { get => PayloadUtf8.ToString(); init => PayloadUtf8 = Utf8Json.FromText(value); }

    /// <summary>payload_json as the parser wrote it, in UTF-8: what the writer sends.</summary>
    internal Utf8Json PayloadUtf8 { get; init; } = Utf8Json.EmptyObject;
    public ulong _ver { get; init; }
    /// <summary>md5 of the order id alone (<see cref="DedupKey.ForOrder"/>): a changed order replaces its row.</summary>
    public string _dedup_key { get; init; } = "";
    /// <summary>The payment instant itself; sale_ts is this in the configured zone without the offset.</summary>
    [NotStored] public DateTimeOffset SaleUtc { get; init; }

    public override string ToString() => $"SalesRow {order_id}";
}
