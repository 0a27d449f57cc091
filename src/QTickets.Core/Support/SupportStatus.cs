using QTickets.Core.Model;

namespace QTickets.Core.Support;

/// <summary>Order and ticket states in the words support uses (from <see cref="OrderStatusRules"/>, the one definition of sold).</summary>
public static class SupportStatus
{
    public const string Paid = "paid";
    public const string PartlyRefunded = "partly refunded";
    public const string Refunded = "refunded";
    public const string Cancelled = "cancelled";
    public const string Reserved = "reserved";

    public static string Of(Order order) => order.Status switch
    {
        OrderStatus.Paid => Paid,
        OrderStatus.PartiallyRefunded => PartlyRefunded,
        OrderStatus.Refunded => Refunded,
        OrderStatus.Cancelled => Cancelled,
        _ => Reserved,
    };

    public static string Of(Order order, Basket basket) => OrderStatusRules.Of(order, basket) switch
    {
        TicketStatus.Paid => Paid,
        TicketStatus.Refunded => Refunded,
        TicketStatus.Cancelled => Cancelled,
        _ => Reserved,
    };
}
