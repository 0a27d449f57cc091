namespace QTickets.Core.Reconcile;

/// <summary>
/// One sale day and event, compared: what the API says it should hold, what staging FINAL
/// (stg_qtickets_api_orders_raw) and the daily facts FINAL (fact_qtickets_sales_daily, summed over cities) hold,
/// the differences (ClickHouse minus API) and whether they differ. Properties are scalars in a fixed order, so
/// Export-Csv and ConvertTo-Json take rows as they are. The facts count no orders, so there is no facts_orders.
/// </summary>
public sealed class ReconcileRow
{
    /// <summary>The Moscow (configured zone) day of payment: toDate(sale_ts) in staging, sales_date in the facts.</summary>
    public DateOnly sales_date { get; init; }
    public string event_id { get; init; } = "";
    /// <summary>Orders paid that day with at least one live ticket now.</summary>
    public long api_orders { get; init; }
    public long api_tickets { get; init; }
    public decimal api_revenue { get; init; }
    public long staging_orders { get; init; }
    public long staging_tickets { get; init; }
    public decimal staging_revenue { get; init; }
    public long facts_tickets { get; init; }
    public decimal facts_revenue { get; init; }
    public long staging_orders_diff => staging_orders - api_orders;
    public long staging_tickets_diff => staging_tickets - api_tickets;
    public decimal staging_revenue_diff => staging_revenue - api_revenue;
    public long facts_tickets_diff => facts_tickets - api_tickets;
    public decimal facts_revenue_diff => facts_revenue - api_revenue;
    /// <summary>Staging differs from the API in orders, tickets or revenue (to the kopeck).</summary>
    public bool staging_differs => staging_orders_diff != 0 || staging_tickets_diff != 0 || staging_revenue_diff != 0;
    /// <summary>The daily facts differ from the API in tickets or revenue (to the kopeck).</summary>
    public bool facts_differs => facts_tickets_diff != 0 || facts_revenue_diff != 0;
    public bool differs => staging_differs || facts_differs;
    /// <summary>This day was reloaded by -Repair before this comparison.</summary>
    public bool repaired { get; set; }

    public override string ToString() =>
        $"{sales_date:yyyy-MM-dd} event {event_id}: api {api_orders}/{api_tickets}/{api_revenue:0.00}, staging {staging_orders}/{staging_tickets}/{staging_revenue:0.00}, " +
        $"facts {facts_tickets}/{facts_revenue:0.00}{(differs ? " DIFFERS" : "")}";
}
