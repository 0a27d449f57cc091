using QTickets.Contracts;
using QTickets.Model;

namespace QTickets.Load;

/// <summary>Where a load reads from: the QTickets API, or fixture files for offline runs (-OfflineFixturesDir).</summary>
public interface ILoadSource
{
    IAsyncEnumerable<Event> EventsAsync(CancellationToken cancellation);

    /// <summary>
    /// Every order that may have changed in the window: paid in [Start, End) and updated since Start (refunds
    /// and cancellations of older orders). An order may come twice; the loader keeps the first.
    /// </summary>
    IAsyncEnumerable<Order> OrdersAsync(LoadWindow window, CancellationToken cancellation);

    /// <summary>False when seat maps are unavailable (offline): the run takes no inventory snapshot.</summary>
    bool HasSeats { get; }

    Task<ShowSeatTotals> SeatsAsync(long showId, CancellationToken cancellation);
}
