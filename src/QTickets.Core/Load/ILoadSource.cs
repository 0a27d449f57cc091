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
}
