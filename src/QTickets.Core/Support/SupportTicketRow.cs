namespace QTickets.Core.Support;

/// <summary>
/// One ticket of an order as a support person reads it: the order's columns, the ticket's own state, seat and
/// price, and, when asked for, the buyer's and the holder's contacts (they differ when one person buys for others).
/// </summary>
public sealed class SupportTicketRow
{
    public long OrderId { get; init; }
    public long TicketId { get; init; }

    /// <summary>This ticket's state: paid, refunded, cancelled or reserved.</summary>
    public string Status { get; init; } = "";

    public string PaidAt { get; init; } = "";
    public string Event { get; init; } = "";
    public string ShowStart { get; init; } = "";
    public string City { get; init; } = "";
    public string Seat { get; init; } = "";

    /// <summary>What this ticket cost, in the order's currency.</summary>
    public decimal Price { get; init; }

    public string Currency { get; init; } = "";
    public string PromoCode { get; init; } = "";
    public string? BuyerName { get; init; }
    public string? BuyerEmail { get; init; }
    public string? BuyerPhone { get; init; }
    public string? HolderName { get; init; }
    public string? HolderEmail { get; init; }
    public string? HolderPhone { get; init; }
}
