namespace QTickets.Core.Transform;

/// <summary>
/// One ticket (basket) of an order, for people who need more than the per-order staging row: which show, which
/// seat, what it cost, whether it still counts. Holder columns are always present, so every row exports the
/// same CSV columns, and empty unless the order was read with -IncludePersonalData.
/// </summary>
public sealed class TicketRow
{
    public string order_id { get; init; } = "";
    public string basket_id { get; init; } = "";
    public string event_id { get; init; } = "";
    public string show_id { get; init; } = "";
    public string city { get; init; } = "";
    public string seat_id { get; init; } = "";
    public string seat_name { get; init; } = "";
    public decimal price { get; init; }
    /// <summary>0 when nothing was refunded (the API sends 0 or null alike).</summary>
    public decimal refunded_amount { get; init; }
    /// <summary>paid, refunded, cancelled or reserved (OrderStatusRules.Of(order, basket)).</summary>
    public string status { get; init; } = "";
    /// <summary>Payment time, naive wall-clock in the configured zone; null for an order never paid.</summary>
    public DateTime? sale_ts { get; init; }
    public string holder_name { get; init; } = "";
    public string holder_email { get; init; } = "";
    public string holder_phone { get; init; } = "";

    public override string ToString() => $"TicketRow {order_id}/{basket_id}";
}
