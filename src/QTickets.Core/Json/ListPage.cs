namespace QTickets.Core.Json;

/// <summary>
/// One answer of a list endpoint (`{"data":[…],"paging":{…}}`) read in one pass (<see cref="ListPageReader"/>): its
/// items in the order served and its `paging`, or what is wrong with it.
/// </summary>
public sealed class ListPage<T>
{
    internal ListPage(List<T> items, long? total, int? perPage, bool hasPaging, string? problem)
    {
        Items = items;
        Total = total;
        PerPage = perPage;
        HasPaging = hasPaging;
        Problem = problem;
    }

    public List<T> Items { get; }

    /// <summary>paging.total; null when the answer has none.</summary>
    public long? Total { get; }

    /// <summary>paging.perPage; null when the answer has none.</summary>
    public int? PerPage { get; }

    /// <summary>Whether the answer has a paging object (null and PHP's empty `[]` are none).</summary>
    public bool HasPaging { get; }

    /// <summary>
    /// Valid JSON that is not a page, said to follow "The answer to GET /orders page N" (e.g. "has no data array");
    /// null for a page. When it is set, the other properties are not to be used.
    /// </summary>
    public string? Problem { get; }
}
