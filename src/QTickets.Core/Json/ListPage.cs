using QTickets.Core.Model;

namespace QTickets.Core.Json;

/// <summary>
/// One answer of `GET /orders` read in one pass (<see cref="QTicketsJson.ParseOrdersPage"/>): its orders in the order
/// served and its `paging`, or what is wrong with it.
/// </summary>
public sealed class OrdersPage
{
    internal OrdersPage(List<Order> orders, long? total, int? perPage, bool hasPaging, string? problem)
    {
        Orders = orders;
        Total = total;
        PerPage = perPage;
        HasPaging = hasPaging;
        Problem = problem;
    }

    public List<Order> Orders { get; }

    /// <summary>paging.total; null when the answer has none.</summary>
    public long? Total { get; }

    /// <summary>paging.perPage; null when the answer has none.</summary>
    public int? PerPage { get; }

    /// <summary>Whether the answer has a paging object (null and PHP's empty `[]` are none).</summary>
    public bool HasPaging { get; }

    /// <summary>
    /// Valid JSON that is not a page of orders, said to follow "The answer to GET /orders page N" (e.g. "has no data
    /// array"); null for a page. When it is set, the other properties are not to be used.
    /// </summary>
    public string? Problem { get; }
}
