namespace QTickets.Core.Model;

public enum OrderStatus
{
    Unpaid,
    Paid,
    PartiallyRefunded,
    Refunded,
    Cancelled,
}

public enum TicketStatus
{
    Reserved,
    Paid,
    Refunded,
    Cancelled,
}

/// <summary>
/// The one place that decides what counts as sold. The legacy loader counted deleted and refunded
/// baskets; here a ticket is live only when its order is paid and not deleted and
/// the basket itself is neither deleted nor fully refunded.
/// </summary>
public static class OrderStatusRules
{
    public static TicketStatus Of(Order order, Basket basket)
    {
        if (basket.DeletedAt is not null || order.DeletedAt is not null)
            return TicketStatus.Cancelled;
        if (basket.RefundedAt is not null && basket.RefundedAmount.GetValueOrDefault() >= basket.Price)
            return TicketStatus.Refunded;
        return order.Payed ? TicketStatus.Paid : TicketStatus.Reserved;
    }

    public static OrderStatus Of(Order order)
    {
        if (!order.Payed)
            return order.DeletedAt is null ? OrderStatus.Unpaid : OrderStatus.Cancelled;
        if (order.DeletedAt is not null)
            return OrderStatus.Cancelled;
        var live = 0;
        var refunded = false;
        foreach (var b in order.Baskets)
        {
            if (Of(order, b) == TicketStatus.Paid) live++;
            if (b.RefundedAt is not null) refunded = true;
        }
        if (!refunded) return live > 0 || order.Baskets.Count == 0 ? OrderStatus.Paid : OrderStatus.Cancelled;
        return live > 0 ? OrderStatus.PartiallyRefunded : OrderStatus.Refunded;
    }

    /// <summary>What a basket still earns: its price minus any refunded amount; nothing when not live.</summary>
    public static decimal LiveRevenue(Order order, Basket basket)
    {
        if (!order.Payed || order.DeletedAt is not null || basket.DeletedAt is not null) return 0m;
        var refunded = basket.RefundedAt is null ? 0m : basket.RefundedAmount.GetValueOrDefault();
        return Math.Max(0m, basket.Price - refunded);
    }
}
