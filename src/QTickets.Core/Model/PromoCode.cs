namespace QTickets.Core.Model;

/// <summary>A promo code (`/promo-codes`): an order names it by id only, support reads it by its text.</summary>
public sealed class PromoCode
{
    public long Id { get; set; }
    public string Code { get; set; } = "";
    public long DiscountId { get; set; }
    public DateTimeOffset? ActiveFrom { get; set; }
    public DateTimeOffset? ActiveTo { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
    /// <summary>The object as served (no personal data in it: a code, its discount, dates and flags).</summary>
    public string Payload { get; set; } = "{}";

    public override string ToString() => $"Promo code {Id} {Code}";
}

/// <summary>A discount (`/discounts`): a name, a type (e.g. "P") and the events and shows it applies to.</summary>
public sealed class Discount
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public string Type { get; set; } = "";
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
    /// <summary>The object as served (names of events and shows, dates and flags; no personal data).</summary>
    public string Payload { get; set; } = "{}";

    public override string ToString() => $"Discount {Id} {Name}";
}

/// <summary>A price colour (`/color-themes`, "оттенки"): what the legacy called a price shade.</summary>
public sealed class ColorTheme
{
    public long Id { get; set; }
    public string Color { get; set; } = "";
    public string Payload { get; set; } = "{}";

    public override string ToString() => $"Colour theme {Id} {Color}";
}
