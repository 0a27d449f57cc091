namespace QTickets.Core.Support;

/// <summary>
/// One order as a support person reads it in a spreadsheet: what was bought, when, for how much, in what state.
/// Not the staging row (<see cref="Core.Transform.SalesRow"/>): no JSON, no versions, no keys, and the buyer's contacts
/// when asked for. Times are text in one zone (Moscow by default) so a spreadsheet shows them as written.
/// </summary>
public sealed class SupportOrderRow
{
    public long OrderId { get; init; }

    /// <summary>paid, partly refunded, refunded, cancelled or reserved (<see cref="SupportStatus"/>).</summary>
    public string Status { get; init; } = "";

    /// <summary>Payment time, "yyyy-MM-dd HH:mm" in the report's zone; empty for an order never paid.</summary>
    public string PaidAt { get; init; } = "";

    public string Event { get; init; } = "";

    /// <summary>Start of the order's show(s), "yyyy-MM-dd HH:mm" in the show's own local time; several are joined with ", ".</summary>
    public string ShowStart { get; init; } = "";

    public string City { get; init; } = "";

    /// <summary>Tickets in the order, whatever their state (Status tells whether they still count).</summary>
    public int Tickets { get; init; }

    /// <summary>What the order cost, in its currency.</summary>
    public decimal Amount { get; init; }

    public string Currency { get; init; } = "";

    /// <summary>The promo code's text (from /promo-codes); "#id" when the code itself could not be read.</summary>
    public string PromoCode { get; init; } = "";

    public string? BuyerName { get; init; }
    public string? BuyerEmail { get; init; }
    public string? BuyerPhone { get; init; }
}
