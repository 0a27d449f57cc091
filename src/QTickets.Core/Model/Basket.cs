namespace QTickets.Core.Model;

/// <summary>One ticket of an order (QTickets calls it a basket).</summary>
public sealed class Basket
{
    public long Id { get; set; }
    public long OrderId { get; set; }
    public long ShowId { get; set; }
    public string SeatId { get; set; } = "";
    public string SeatName { get; set; } = "";
    public decimal OriginalPrice { get; set; }
    public decimal? DiscountValue { get; set; }
    public decimal Price { get; set; }
    public decimal TicketAmount { get; set; }
    public decimal ServiceFeeAmount { get; set; }
    public int Quantity { get; set; } = 1;
    public DateTimeOffset? CheckedAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
    public DateTimeOffset? RefundedAt { get; set; }
    public decimal? RefundedAmount { get; set; }

    // Ticket holder's personal data: filled only with -IncludePersonalData.
    public string? HolderEmail { get; set; }
    public string? HolderPhone { get; set; }
    public string? HolderName { get; set; }

    public override string ToString() => $"Basket {Id}";
}
