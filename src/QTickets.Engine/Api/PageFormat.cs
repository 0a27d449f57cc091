using System.Text.Json;
using QTickets.Core.Json;
using QTickets.Core.Model;

namespace QTickets.Engine.Api;

/// <summary>
/// How a list endpoint's answer is asked for and read into a <see cref="ListPage{T}"/>, by one envelope reader
/// (<see cref="ListPageReader"/>). Valid JSON that is not a page fails the read (<see cref="PagedReader.Invalid"/>: no
/// data array, an unreadable paging, an item that cannot be read).
/// </summary>
internal abstract class PageFormat<T>
{
    public abstract Task<ListPage<T>> ReadAsync(ApiTransport transport, ApiRequest request, CancellationToken cancellation);
}

/// <summary>
/// A page of a small list (events, promo codes, discounts), each item parsed as an element
/// (<see cref="QTicketsJson.ParseListPage{T}"/>), inside the attempt like an orders page.
/// </summary>
internal sealed class DocumentPages<T>(Func<JsonElement, T> parse) : PageFormat<T>
{
    public override async Task<ListPage<T>> ReadAsync(ApiTransport transport, ApiRequest request, CancellationToken cancellation)
    {
        var page = await transport.SendAsync(request, Read, cancellation).ConfigureAwait(false);
        return page.Problem is { } problem ? throw PagedReader.Invalid(request, problem) : page;
    }

    ListPage<T> Read(ReadOnlySpan<byte> body, out int items)
    {
        var page = QTicketsJson.ParseListPage(body, parse);
        items = page.Items.Count;
        return page;
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
        return page.Problem is { } problem ? throw PagedReader.Invalid(request, problem) : page;
    }

    /// <summary>What the transport calls with a 2xx body (and the parse benchmark with the genuine page).</summary>
    internal ListPage<Order> Read(ReadOnlySpan<byte> body, out int items)
    {
        var page = QTicketsJson.ParseOrdersPage(body, includePersonalData);
        items = page.Items.Count;
        return page;
    }
}
