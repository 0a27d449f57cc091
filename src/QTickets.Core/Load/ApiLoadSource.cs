using System.Runtime.CompilerServices;
using QTickets.Core.Contracts;
using QTickets.Core.Model;

namespace QTickets.Core.Load;

/// <summary>The QTickets API as a load source.</summary>
public sealed class ApiLoadSource(IQTicketsApi api) : ILoadSource
{
    public IAsyncEnumerable<Event> EventsAsync(CancellationToken cancellation) => api.GetEventsAsync(cancellation);

    public async IAsyncEnumerable<Order> OrdersAsync(LoadWindow window, [EnumeratorCancellation] CancellationToken cancellation)
    {
        if (window.PaymentsOnly)
        {
            // A repair of whole days: every order paid in them, whatever its state now (a cancelled one zeroes its row).
            var paid = OrderQuery.PaidBetween(window.Start, window.End) with { IncludeCancelled = true };
            await foreach (var o in api.GetOrdersAsync(paid, cancellation))
                yield return o;
            yield break;
        }
        // One pass: every order touched since the window opened, whatever its state now. A payment moves updated_at
        // (updated_at >= payed_at on every paid order of the genuine capture, 40 of 40), so this holds the window's new
        // payments; a refund or a cancellation moves updated_at but not payed_at, and a cancelled order must reach
        // ClickHouse to zero its old row. A separate payments pass read the same orders again: 1.8x the pages for a
        // backfill (BENCHMARKS.md, End to end).
        var changes = OrderQuery.ChangedSince(window.Start) with { IncludeUnpaid = true, IncludeCancelled = true };
        await foreach (var o in api.GetOrdersAsync(changes, cancellation))
            yield return o;
    }

    public async Task<Order?> OrderAsync(long id, CancellationToken cancellation)
    {
        try { return await api.GetOrderAsync(id, includePersonalData: false, cancellation).ConfigureAwait(false); }
        catch (QTicketsNotFoundException) { return null; }
    }

    public bool HasSeats => true;

    public Task<ShowSeatTotals> SeatsAsync(long showId, CancellationToken cancellation) => api.GetShowSeatsAsync(showId, cancellation);
}
