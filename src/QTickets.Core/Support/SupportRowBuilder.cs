using System.Globalization;
using QTickets.Core.Model;
using QTickets.Core.Transform;

namespace QTickets.Core.Support;

/// <summary>
/// Orders to support rows: the rules of what a support person sees (states in words, payment time in the report's
/// zone, show times as the venue states them, contacts only when asked for) and of finding a customer's orders by
/// e-mail, which looks at the buyer as well as at every ticket holder.
/// </summary>
public sealed class SupportRowBuilder(WallClock clock, bool includePersonalData)
{
    const string TimeFormat = "yyyy-MM-dd HH:mm";

    public SupportOrderRow ToOrderRow(Order order, Event? ev, string? promoCode) => new()
    {
        OrderId = order.Id,
        Status = SupportStatus.Of(order),
        PaidAt = PaidAt(order),
        Event = ev?.Name ?? "",
        ShowStart = string.Join(", ", order.Baskets.Select(b => b.ShowId).Distinct().Select(id => ShowStart(ev, id)).Where(s => s.Length > 0)),
        City = CityName.Of(ev),
        Tickets = order.Baskets.Sum(b => Math.Max(1, b.Quantity)),
        Amount = order.Price,
        Currency = order.CurrencyId,
        PromoCode = promoCode ?? "",
        BuyerName = includePersonalData ? order.ClientName : null,
        BuyerEmail = includePersonalData ? order.ClientEmail : null,
        BuyerPhone = includePersonalData ? order.ClientPhone : null,
    };

    public IEnumerable<SupportTicketRow> ToTicketRows(Order order, Event? ev, string? promoCode)
    {
        var paidAt = PaidAt(order);
        foreach (var b in order.Baskets)
            yield return new SupportTicketRow
            {
                OrderId = order.Id,
                TicketId = b.Id,
                Status = SupportStatus.Of(order, b),
                PaidAt = paidAt,
                Event = ev?.Name ?? "",
                ShowStart = ShowStart(ev, b.ShowId),
                City = CityName.Of(ev),
                Seat = b.SeatName,
                Price = b.Price,
                Currency = order.CurrencyId,
                PromoCode = promoCode ?? "",
                BuyerName = includePersonalData ? order.ClientName : null,
                BuyerEmail = includePersonalData ? order.ClientEmail : null,
                BuyerPhone = includePersonalData ? order.ClientPhone : null,
                HolderName = includePersonalData ? b.HolderName : null,
                HolderEmail = includePersonalData ? b.HolderEmail : null,
                HolderPhone = includePersonalData ? b.HolderPhone : null,
            };
    }

    /// <summary>Whether the buyer or any ticket holder of the order has this e-mail (case and surrounding blanks ignored).</summary>
    public static bool Matches(Order order, string email)
    {
        var wanted = email.Trim();
        bool Same(string? e) => e is not null && string.Equals(e.Trim(), wanted, StringComparison.OrdinalIgnoreCase);
        return Same(order.ClientEmail) || order.Baskets.Any(b => Same(b.HolderEmail));
    }

    /// <summary>Whether the order was read with its personal data: without it no e-mail can match.</summary>
    public static bool HasPersonalData(Order order) =>
        order.ClientEmail is not null || order.ClientName is not null || order.ClientPhone is not null ||
        order.Baskets.Any(b => b.HolderEmail is not null || b.HolderName is not null || b.HolderPhone is not null);

    string PaidAt(Order order) =>
        order.PayedAt is { } paid ? clock.Of(paid).ToString(TimeFormat, CultureInfo.InvariantCulture) : "";

    // A show's time as the venue states it (its own offset): the time printed on the ticket.
    static string ShowStart(Event? ev, long showId) =>
        ev?.Shows.FirstOrDefault(s => s.Id == showId)?.StartDate is { } start
            ? start.ToString(TimeFormat, CultureInfo.InvariantCulture)
            : "";
}
