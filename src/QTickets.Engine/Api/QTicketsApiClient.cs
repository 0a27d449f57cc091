using System.Runtime.CompilerServices;
using System.Text.Json;
using QTickets.Core.Json;
using QTickets.Core.Configuration;
using QTickets.Core.Contracts;
using QTickets.Core.Model;

namespace QTickets.Engine.Api;

/// <summary>The QTickets REST v1 client: what to ask for and which answers to keep. Transport and retries are <see cref="ApiTransport"/>'s.</summary>
internal sealed class QTicketsApiClient : IQTicketsApi
{
    const string SeatsBody = """{"select":["max_quantity","free_quantity"],"flat":true}""";

    readonly ApiTransport _transport;
    readonly PagedReader _pages;
    readonly PagesInFlight _inFlight;

    public QTicketsApiClient(QTicketsConfig config, ApiOptions options, IRunObserver observer)
    {
        var token = config.Token ?? throw new ArgumentException("The configuration has no QTickets token.", nameof(config));
        _inFlight = new PagesInFlight(options.MaxParallelism, options.Parallelism);
        _transport = new ApiTransport(config.BaseUrl, token.Reveal(), token.Fingerprint, options, observer, _inFlight);
        _pages = new PagedReader(_transport, options, _inFlight, observer);
        observer.Verbose(_inFlight.Pinned
            ? $"Pages in flight: {_inFlight.Limit}, pinned by -Parallelism."
            : $"Pages in flight: adaptive, starting at {_inFlight.Limit}, ceiling {_inFlight.Ceiling} (QTICKETS_MAX_PAGES_IN_FLIGHT or -MaxParallelism).");
    }

    public void Dispose() => _transport.Dispose();

    public PagesInFlightReport PagesInFlight => _inFlight.Report();

    public async IAsyncEnumerable<Order> GetOrdersAsync(OrderQuery query, [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        var filter = new OrderFilter(query);
        await foreach (var order in _pages.ReadAsync("/orders", filter.ServerConditions(),
                           PageFormat.Orders(query.IncludePersonalData), o => o.Id, "orders", cancellation).ConfigureAwait(false))
        {
            if (filter.Keep(order)) yield return order;
        }
    }

    public async Task<Order> GetOrderAsync(long id, bool includePersonalData, CancellationToken cancellation = default)
    {
        var request = new ApiRequest($"/orders/{id}", null);
        using var json = await _transport.SendAsync(request, cancellation).ConfigureAwait(false);
        return QTicketsJson.ParseOrder(Single(json, request), includePersonalData);
    }

    public IAsyncEnumerable<Event> GetEventsAsync(CancellationToken cancellation = default) =>
        _pages.ReadAsync("/events", Array.Empty<WhereCondition>(), PageFormat.Elements(QTicketsJson.ParseEvent), e => e.Id, "events", cancellation);

    public IAsyncEnumerable<PromoCode> GetPromoCodesAsync(CancellationToken cancellation = default) =>
        _pages.ReadAsync("/promo-codes", Array.Empty<WhereCondition>(), PageFormat.Elements(QTicketsJson.ParsePromoCode), p => p.Id, "promo codes", cancellation);

    public IAsyncEnumerable<Discount> GetDiscountsAsync(CancellationToken cancellation = default) =>
        _pages.ReadAsync("/discounts", Array.Empty<WhereCondition>(), PageFormat.Elements(QTicketsJson.ParseDiscount), d => d.Id, "discounts", cancellation);

    public async Task<IReadOnlyList<ColorTheme>> GetColorThemesAsync(CancellationToken cancellation = default)
    {
        var request = new ApiRequest("/color-themes", null);
        using var json = await _transport.SendAsync(request, cancellation).ConfigureAwait(false);
        var root = json.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
            throw new QTicketsResponseException($"The answer to {request.Describe} has no data list.", request.Describe, 200, "", 1);
        return data.EnumerateArray().Select(QTicketsJson.ParseColorTheme).ToList();
    }

    public async Task<Event> GetEventAsync(long id, CancellationToken cancellation = default)
    {
        var request = new ApiRequest($"/events/{id}", null);
        using var json = await _transport.SendAsync(request, cancellation).ConfigureAwait(false);
        return QTicketsJson.ParseEvent(Single(json, request));
    }

    public async Task<ShowSeatTotals> GetShowSeatsAsync(long showId, CancellationToken cancellation = default)
    {
        var request = new ApiRequest($"/shows/{showId}/seats", SeatsBody);
        using var json = await _transport.SendAsync(request, cancellation).ConfigureAwait(false);
        if (json.RootElement.ValueKind != JsonValueKind.Object || !json.RootElement.TryGetProperty("data", out var data))
            throw new QTicketsResponseException($"The answer to {request.Describe} has no data.", request.Describe, 200, "", 1);
        // flat:true gives an object keyed by seat id; PHP renders an empty one as [].
        var seats = data.ValueKind switch
        {
            JsonValueKind.Object => data.EnumerateObject().Select(p => p.Value).ToList(),
            JsonValueKind.Array => data.EnumerateArray().ToList(),
            _ => throw new QTicketsResponseException($"The answer to {request.Describe} has data of kind {data.ValueKind}.", request.Describe, 200, "", 1),
        };
        long max = 0, free = 0;
        foreach (var seat in seats)
        {
            max += Quantity(seat, "max_quantity");
            free += Quantity(seat, "free_quantity");
        }
        return new ShowSeatTotals(showId, seats.Count, max, free);
    }

    static long Quantity(JsonElement seat, string name)
    {
        if (seat.ValueKind != JsonValueKind.Object || !seat.TryGetProperty(name, out var v)) return 0;
        return v.ValueKind switch
        {
            JsonValueKind.Number when v.TryGetInt64(out var n) => n,
            JsonValueKind.String when long.TryParse(v.GetString(), out var s) => s,
            _ => 0,
        };
    }

    static JsonElement Single(JsonDocument json, ApiRequest request)
    {
        var root = json.RootElement;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object)
            return data;
        throw new QTicketsResponseException($"The answer to {request.Describe} has no data object.", request.Describe, 200, "", 1);
    }
}
