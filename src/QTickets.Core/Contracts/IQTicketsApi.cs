using QTickets.Core.Model;

namespace QTickets.Core.Contracts;

/// <summary>
/// The QTickets REST v1 client, as the cmdlets and the loader see it (implemented in QTickets.Engine/Api).
/// Lists stream: each item is yielded as soon as its page has arrived and earlier pages were yielded, in
/// ascending id order. Failures surface as the exceptions of this folder (<see cref="QTicketsApiException"/>
/// and its kinds); cancellation as OperationCanceledException.
/// </summary>
public interface IQTicketsApi : IDisposable
{
    /// <summary>Orders of a payment window or changed since a time, each id exactly once, ascending.</summary>
    IAsyncEnumerable<Order> GetOrdersAsync(OrderQuery query, CancellationToken cancellation = default);

    /// <summary>One order (`/orders/{id}`) whatever its status; <see cref="QTicketsNotFoundException"/> for an unknown id.</summary>
    Task<Order> GetOrderAsync(long id, bool includePersonalData, CancellationToken cancellation = default);

    /// <summary>Every event (all pages of `/events`), deleted ones included, ascending id.</summary>
    IAsyncEnumerable<Event> GetEventsAsync(CancellationToken cancellation = default);

    /// <summary>One event (`/events/{id}`); <see cref="QTicketsNotFoundException"/> for an unknown id.</summary>
    Task<Event> GetEventAsync(long id, CancellationToken cancellation = default);

    /// <summary>Every promo code (all pages of `/promo-codes`), ascending id.</summary>
    IAsyncEnumerable<PromoCode> GetPromoCodesAsync(CancellationToken cancellation = default);

    /// <summary>Every discount (all pages of `/discounts`), deleted ones included, ascending id.</summary>
    IAsyncEnumerable<Discount> GetDiscountsAsync(CancellationToken cancellation = default);

    /// <summary>The price colours (`/color-themes`, one unpaged list).</summary>
    Task<IReadOnlyList<ColorTheme>> GetColorThemesAsync(CancellationToken cancellation = default);

    /// <summary>Seat quantities of one show (`/shows/{id}/seats`, flat), summed for inventory.</summary>
    Task<ShowSeatTotals> GetShowSeatsAsync(long showId, CancellationToken cancellation = default);

    /// <summary>The pages in flight this client has used so far.</summary>
    PagesInFlightReport PagesInFlight { get; }
}
