using System.Globalization;
using QTickets.Core.Model;

namespace QTickets.Core.Transform;

/// <summary>
/// Turns orders into <see cref="SalesRow"/>s and <see cref="TicketRow"/>s: the place where the numbers are made.
/// What counts is decided by <see cref="OrderStatusRules"/> alone; this class only shapes rows.
/// <list type="bullet">
/// <item>A row is due for every order that has a payment time, even when it is now cancelled or refunded
/// (payed=true with deleted_at, or payed=false with payed_at left set): such an order yields tickets 0 and
/// revenue 0, and with its unchanged _dedup_key that row replaces the paid version an earlier load wrote.</item>
/// <item>An order without a payment time and not marked paid was never sold: no row, and no error.</item>
/// <item>An order that cannot be trusted (no id, something unreadable, marked paid without a payment time, an
/// event nobody knows) is rejected with a reason, never guessed at.</item>
/// </list>
/// </summary>
/// <param name="version">Every row's _ver; null: each order's own <see cref="RowVersion"/>, at least <paramref name="floor"/>.</param>
/// <param name="floor">The lowest _ver a row may get (the loader: above every version staging holds, so a row of
/// this run replaces the rows before it even when the source's clock stamped them ahead).</param>
public sealed class SalesRowConverter(WallClock clock, ulong? version = null, ulong floor = 0)
{
    /// <summary>
    /// The order's sales row; null with <paramref name="rejection"/> null when the order was never paid (nothing
    /// to load), null with a reason when the order is bad.
    /// </summary>
    public SalesRow? ToSalesRow(Order order, Event? ev, out string? rejection)
    {
        rejection = Defect(order);
        if (rejection is not null) return null;
        if (order.PayedAt is not { } payedAt)
        {
            if (order.Payed) rejection = "the order is marked paid but has no payment time (payed_at)";
            return null;
        }
        if (ev is null || ev.Id != order.EventId)
        {
            rejection = UnknownEvent(order);
            return null;
        }

        uint tickets = 0;
        var revenue = 0m;
        foreach (var basket in order.Baskets)
        {
            if (OrderStatusRules.Of(order, basket) == TicketStatus.Paid) tickets += (uint)Math.Max(0, basket.Quantity);
            revenue += OrderStatusRules.LiveRevenue(order, basket);
        }
        var utm = order.Utm;
        return new SalesRow
        {
            order_id = Id(order.Id),
            event_id = Id(order.EventId),
            city = CityName.Of(ev),
            utm_source = utm.Source,
            utm_medium = utm.Medium,
            utm_campaign = utm.Campaign,
            utm_content = utm.Content,
            utm_term = utm.Term,
            sale_ts = clock.Of(payedAt),
            tickets_sold = tickets,
            revenue = revenue,
            currency = order.CurrencyId.Trim().ToUpperInvariant(),
            PayloadUtf8 = order.PayloadUtf8,
            _ver = version ?? Math.Max(RowVersion.Of(order), floor),
            _dedup_key = DedupKey.ForOrder(order.Id),
            SaleUtc = payedAt.ToUniversalTime(),
        };
    }

    /// <summary>
    /// One row per basket, paid or not (reservations and cancelled tickets too: support asks about them), or
    /// null with a reason when the order is bad.
    /// </summary>
    public IReadOnlyList<TicketRow>? ToTicketRows(Order order, Event? ev, out string? rejection)
    {
        rejection = Defect(order);
        if (rejection is null && order.Payed && order.PayedAt is null)
            rejection = "the order is marked paid but has no payment time (payed_at)";
        if (rejection is null && (ev is null || ev.Id != order.EventId))
            rejection = UnknownEvent(order);
        if (rejection is not null) return null;

        var orderId = Id(order.Id);
        var eventId = Id(order.EventId);
        var city = CityName.Of(ev);
        DateTime? saleTs = order.PayedAt is { } t ? clock.Of(t) : null;
        var rows = new TicketRow[order.Baskets.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            var b = order.Baskets[i];
            rows[i] = new TicketRow
            {
                order_id = orderId,
                basket_id = Id(b.Id),
                event_id = eventId,
                show_id = Id(b.ShowId),
                city = city,
                seat_id = b.SeatId,
                seat_name = b.SeatName,
                price = b.Price,
                refunded_amount = b.RefundedAmount ?? 0m,
                status = StatusText(OrderStatusRules.Of(order, b)),
                sale_ts = saleTs,
                holder_name = b.HolderName ?? "",
                holder_email = b.HolderEmail ?? "",
                holder_phone = b.HolderPhone ?? "",
            };
        }
        return rows;
    }

    static string? Defect(Order order)
    {
        // The parser's problems first: they say what the id was when it was not a number.
        if (order.Problems.Count > 0) return string.Join("; ", order.Problems);
        if (order.Id <= 0) return "the order has no id";
        return null;
    }

    static string UnknownEvent(Order order) => order.EventId <= 0
        ? "the order names no event (event_id)"
        : $"the order's event {order.EventId} is unknown: neither passed with -Event nor found by the API";

    static string StatusText(TicketStatus status) => status switch
    {
        TicketStatus.Paid => "paid",
        TicketStatus.Refunded => "refunded",
        TicketStatus.Cancelled => "cancelled",
        _ => "reserved",
    };

    static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}
