namespace QTickets.Core.Model;

/// <summary>A promo code (`/promo-codes`): an order names it by id only, support reads it by its text.</summary>
public sealed class PromoCode
{
    public long Id { get; set; }
    public string Code { get; set; } = "";
    public long DiscountId { get; set; }

    public override string ToString() => $"Promo code {Id} {Code}";
}
