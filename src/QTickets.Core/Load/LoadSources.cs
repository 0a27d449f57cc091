using QTickets.Core.Contracts;
using QTickets.Core.Model;

namespace QTickets.Core.Load;

/// <summary>Where a load reads from: the QTickets API, or fixture files for offline runs (-OfflineFixturesDir).</summary>
public interface ILoadSource
{
    IAsyncEnumerable<Event> EventsAsync(CancellationToken cancellation);

    /// <summary>
    /// Every order that may have changed in the window: updated since Start, which covers payments in [Start, End)
    /// and refunds and cancellations of older orders (a <see cref="LoadWindow.PaymentsOnly"/> window: only orders
    /// paid in it). Ascending ids, each once (what the API client guarantees), so the loader needs no set of ids.
    /// </summary>
    IAsyncEnumerable<Order> OrdersAsync(LoadWindow window, CancellationToken cancellation);

    /// <summary>One order by id, whatever its state (a rejected order's retry); null when the source does not know it.</summary>
    Task<Order?> OrderAsync(long id, CancellationToken cancellation);

    /// <summary>False when seat maps are unavailable (offline): the run takes no inventory snapshot.</summary>
    bool HasSeats { get; }

    Task<ShowSeatTotals> SeatsAsync(long showId, CancellationToken cancellation);

    /// <summary>The API pages in flight the run used; null for a source that does not page an API.</summary>
    PagesInFlightReport? PagesInFlight { get; }

    /// <summary>Discounts, promo codes and price colours; null when the source has none (offline fixtures).</summary>
    Task<ReferenceLists?> ReferenceListsAsync(CancellationToken cancellation);
}

/// <summary>The reference lists read in one run; <see cref="ColorThemes"/> is null when the API has no such list.</summary>
public sealed record ReferenceLists(IReadOnlyList<Discount> Discounts, IReadOnlyList<PromoCode> PromoCodes, IReadOnlyList<ColorTheme>? ColorThemes);

/// <summary>The QTickets API as a load source.</summary>
public sealed class ApiLoadSource(IQTicketsApi api) : ILoadSource
{
    public IAsyncEnumerable<Event> EventsAsync(CancellationToken cancellation) => api.GetEventsAsync(cancellation);

    public IAsyncEnumerable<Order> OrdersAsync(LoadWindow window, CancellationToken cancellation) => api.GetOrdersAsync(window.PaymentsOnly
        // A repair of whole days: every order paid in them, whatever its state now (a cancelled one zeroes its row).
        ? OrderQuery.PaidBetween(window.Start, window.End) with { IncludeCancelled = true }
        // One pass: every order touched since the window opened, whatever its state now. A payment moves updated_at
        // (updated_at >= payed_at on every paid order of the genuine capture, 40 of 40), so this holds the window's new
        // payments; a refund or a cancellation moves updated_at but not payed_at, and a cancelled order must reach
        // ClickHouse to zero its old row. A separate payments pass would read the same orders again: 1.8x the pages
        // for a backfill (BENCHMARKS.md, End to end).
        : OrderQuery.ChangedSince(window.Start) with { IncludeUnpaid = true, IncludeCancelled = true }, cancellation);

    public async Task<Order?> OrderAsync(long id, CancellationToken cancellation)
    {
        try { return await api.GetOrderAsync(id, includePersonalData: false, cancellation).ConfigureAwait(false); }
        catch (QTicketsNotFoundException) { return null; }
    }

    public bool HasSeats => true;

    public PagesInFlightReport? PagesInFlight => api.PagesInFlight;

    public Task<ShowSeatTotals> SeatsAsync(long showId, CancellationToken cancellation) => api.GetShowSeatsAsync(showId, cancellation);

    public async Task<ReferenceLists?> ReferenceListsAsync(CancellationToken cancellation)
    {
        var discounts = new List<Discount>();
        await foreach (var d in api.GetDiscountsAsync(cancellation).ConfigureAwait(false)) discounts.Add(d);
        var promoCodes = new List<PromoCode>();
        await foreach (var p in api.GetPromoCodesAsync(cancellation).ConfigureAwait(false)) promoCodes.Add(p);
        IReadOnlyList<ColorTheme>? colors;
        // Documented, never seen answering: an account without it must not fail every run.
        try { colors = await api.GetColorThemesAsync(cancellation).ConfigureAwait(false); }
        catch (QTicketsApiException ex) when (ex.StatusCode is 404 or 403) { colors = null; }
        return new ReferenceLists(discounts, promoCodes, colors);
    }
}
