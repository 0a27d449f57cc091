using QTickets.Core.Contracts;
using QTickets.Core.Model;

namespace QTickets.Engine.Api;

/// <summary>
/// Turns an <see cref="OrderQuery"/> into the server-side `where` and the client-side re-check. The server
/// gets only conditions that can never drop a row out of the set during a read (see PagedReader); status
/// (cancelled or not) is decided here. The re-check is exact: the server compares whole seconds, and the
/// legacy loader found its window filters ignored outright, so nothing outside the window leaks.
/// </summary>
internal sealed class OrderFilter(OrderQuery query)
{
    public IReadOnlyList<WhereCondition> ServerConditions()
    {
        var where = new List<WhereCondition>();
        if (!query.IncludeUnpaid) where.Add(new("payed", "=", 1));
        switch (query.Kind)
        {
            case OrderQueryKind.PaymentWindow:
                // An unpaid order has no payed_at: with unpaid ones included the window is on created_at.
                var column = query.IncludeUnpaid ? "created_at" : "payed_at";
                where.Add(new(column, ">=", ListBody.Timestamp(FloorToSecond(query.Since))));
                if (query.Until != DateTimeOffset.MaxValue)
                    where.Add(new(column, "<", ListBody.Timestamp(CeilingToSecond(query.Until))));
                break;
            case OrderQueryKind.Changes:
                where.Add(new("updated_at", ">=", ListBody.Timestamp(FloorToSecond(query.Since))));
                break;
        }
        return where;
    }

    public bool Keep(Order order)
    {
        if (!query.IncludeUnpaid && !order.Payed) return false;
        if (!query.IncludeCancelled && order.DeletedAt is not null) return false;
        return query.Kind switch
        {
            OrderQueryKind.PaymentWindow when query.IncludeUnpaid => InWindow(order.CreatedAt),
            OrderQueryKind.PaymentWindow => order.PayedAt is DateTimeOffset paid && InWindow(paid),
            _ => order.UpdatedAt >= query.Since,
        };
    }

    bool InWindow(DateTimeOffset t) => t >= query.Since && t < query.Until;

    static DateTimeOffset FloorToSecond(DateTimeOffset t) => t.AddTicks(-(t.Ticks % TimeSpan.TicksPerSecond));

    static DateTimeOffset CeilingToSecond(DateTimeOffset t) =>
        t.Ticks % TimeSpan.TicksPerSecond == 0 ? t : FloorToSecond(t).AddSeconds(1);
}
