using System.Text.Json;
using QTickets.Core.Json;
using QTickets.Core.Model;

namespace QTickets.Engine.Api;

/// <summary>What one answer of a list endpoint held: its items in the order served, and its `paging`.</summary>
internal sealed record ListPage<T>(List<T> Items, long? Total, int? PerPage, bool HasPaging);

/// <summary>
/// How a list endpoint's answer is asked for and read into a <see cref="ListPage{T}"/>. Valid JSON that is not a page
/// fails the read (<see cref="PagedReader.Invalid"/>: no data array, an unreadable paging, an item that cannot be read).
/// </summary>
internal abstract class PageFormat<T>
{
    public abstract Task<ListPage<T>> ReadAsync(ApiTransport transport, ApiRequest request, CancellationToken cancellation);
}

/// <summary>
/// A page parsed into a JsonDocument and each item of `data` read from its element: for the small lists (events,
/// promo codes, discounts), a few pages per run.
/// </summary>
internal sealed class DocumentPages<T>(Func<JsonElement, T> parse) : PageFormat<T>
{
    public override async Task<ListPage<T>> ReadAsync(ApiTransport transport, ApiRequest request, CancellationToken cancellation)
    {
        using var json = await transport.SendAsync(request, cancellation).ConfigureAwait(false);
        var root = json.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
            throw PagedReader.Invalid(request, "has no data array");
        long? total = null;
        int? perPage = null;
        var hasPaging = false;
        if (root.TryGetProperty("paging", out var paging) && paging.ValueKind != JsonValueKind.Null
            && !(paging.ValueKind == JsonValueKind.Array && paging.GetArrayLength() == 0)) // PHP renders an empty object as []
        {
            if (paging.ValueKind != JsonValueKind.Object)
                throw PagedReader.Invalid(request, $"has a paging of kind {paging.ValueKind} instead of an object");
            hasPaging = true;
            if (paging.TryGetProperty("total", out var t) && t.ValueKind != JsonValueKind.Null)
                total = t.ValueKind == JsonValueKind.Number && t.TryGetInt64(out var tv) && tv >= 0 ? tv
                    : throw PagedReader.Invalid(request, $"has an unreadable paging.total ({Excerpt(t)})");
            if (paging.TryGetProperty("perPage", out var p) && p.ValueKind != JsonValueKind.Null)
                perPage = p.ValueKind == JsonValueKind.Number && p.TryGetInt32(out var pv) && pv > 0 ? pv
                    : throw PagedReader.Invalid(request, $"has an unreadable paging.perPage ({Excerpt(p)})");
        }
        var items = new List<T>(data.GetArrayLength());
        foreach (var element in data.EnumerateArray())
        {
            try
            {
                items.Add(parse(element));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw PagedReader.Invalid(request, $"has an item (#{items.Count + 1}) that cannot be read: {ex.Message}", ex);
            }
        }
        return new ListPage<T>(items, total, perPage, hasPaging);
    }

    static string Excerpt(JsonElement value)
    {
        var text = value.GetRawText();
        return text.Length <= 40 ? text : text[..40] + "…";
    }
}

/// <summary>
/// An orders page read in one pass from the body's bytes (<see cref="QTicketsJson.ParseOrdersPage"/>): envelope,
/// orders, scrubbed payloads, by one Utf8JsonReader, inside the attempt, so a body that is not JSON is retried like any
/// other. Orders pages are nearly all a load reads; a JsonDocument of each first doubled the cost of reading one.
/// </summary>
internal sealed class OrderPages(bool includePersonalData) : PageFormat<Order>
{
    public override async Task<ListPage<Order>> ReadAsync(ApiTransport transport, ApiRequest request, CancellationToken cancellation)
    {
        var page = await transport.SendAsync(request, Read, cancellation).ConfigureAwait(false);
        if (page.Problem is { } problem) throw PagedReader.Invalid(request, problem);
        return new ListPage<Order>(page.Orders, page.Total, page.PerPage, page.HasPaging);
    }

    /// <summary>What the transport calls with a 2xx body (and the parse benchmark with the genuine page).</summary>
    internal OrdersPage Read(ReadOnlySpan<byte> body, out int items)
    {
        var page = QTicketsJson.ParseOrdersPage(body, includePersonalData);
        items = page.Orders.Count;
        return page;
    }
}
