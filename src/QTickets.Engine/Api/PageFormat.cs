using System.Text.Json;
using QTickets.Core.Json;
using QTickets.Core.Model;

namespace QTickets.Engine.Api;

/// <summary>Reads a list endpoint's whole answer from its bytes (a <see cref="ListPageReader"/> underneath).</summary>
internal delegate ListPage<T> ListPageParse<T>(ReadOnlySpan<byte> body);

/// <summary>
/// How a list endpoint's answer is read into a <see cref="ListPage{T}"/>: from the body's bytes, inside the attempt,
/// so a body that is not JSON is retried like any other failure of the API. Valid JSON that is not a page fails the
/// read (<see cref="PagedReader.Invalid"/>: no data array, an unreadable paging, an item that cannot be read). The
/// lists differ only in how an item is read (<see cref="PageFormat"/>).
/// </summary>
internal sealed class PageFormat<T>(ListPageParse<T> parse)
{
    public async Task<ListPage<T>> ReadAsync(ApiTransport transport, ApiRequest request, CancellationToken cancellation)
    {
        var page = await transport.SendAsync(request, Read, cancellation).ConfigureAwait(false);
        return page.Problem is { } problem ? throw PagedReader.Invalid(request, problem) : page;
    }

    /// <summary>What the transport calls with a 2xx body (and the parse benchmark with the genuine page).</summary>
    internal ListPage<T> Read(ReadOnlySpan<byte> body, out int items)
    {
        var page = parse(body);
        items = page.Items.Count;
        return page;
    }
}

/// <summary>The page formats of the list endpoints.</summary>
internal static class PageFormat
{
    /// <summary>
    /// Orders pages in one pass (<see cref="QTicketsJson.ParseOrdersPage"/>): envelope, orders and scrubbed payloads by
    /// one Utf8JsonReader. Orders pages are nearly all a load reads; a JsonDocument of each first doubled the cost.
    /// </summary>
    public static PageFormat<Order> Orders(bool includePersonalData) =>
        new(body => QTicketsJson.ParseOrdersPage(body, includePersonalData));

    /// <summary>A small list (events, promo codes, discounts): each item parsed as an element (<see cref="QTicketsJson.ParseListPage{T}"/>).</summary>
    public static PageFormat<T> Elements<T>(Func<JsonElement, T> parse) =>
        new(body => QTicketsJson.ParseListPage(body, parse));
}
