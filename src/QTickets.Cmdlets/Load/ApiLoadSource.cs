using System.Runtime.CompilerServices;
using QTickets.Contracts;
using QTickets.Model;

namespace QTickets.Load;

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
        // Payments of the window first: they are what the dashboard waits for.
        await foreach (var o in api.GetOrdersAsync(OrderQuery.PaidBetween(window.Start, window.End), cancellation))
            yield return o;
        // Then every order touched since the window opened, whatever its state now: a refund or a cancellation
        // moves updated_at, not payed_at, and a cancelled order must reach ClickHouse to zero its old row.
        var changes = OrderQuery.ChangedSince(window.Start) with { IncludeUnpaid = true, IncludeCancelled = true };
        await foreach (var o in api.GetOrdersAsync(changes, cancellation))
            yield return o;
    }

    public bool HasSeats => true;

    public Task<ShowSeatTotals> SeatsAsync(long showId, CancellationToken cancellation) => api.GetShowSeatsAsync(showId, cancellation);
}
