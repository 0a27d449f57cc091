using System.Runtime.CompilerServices;
using System.Text.Json;
using QTickets.Core.Json;
using QTickets.Core.Contracts;
using QTickets.Core.Model;

namespace QTickets.Core.Load;

/// <summary>
/// Saved API answers as a load source (the legacy --offline-fixtures-dir): events.json and orders.json (or
/// *_sample.json / *_fixture.json), each a list, a `{data: [...]}` page or a single object. No HTTP at all, so no
/// inventory. The window is not applied: a fixture is loaded whole, as the legacy did.
/// </summary>
public sealed class FixtureLoadSource(string directory) : ILoadSource
{
    readonly string _dir = Directory.Exists(directory)
        ? directory
        : throw new DirectoryNotFoundException($"Offline fixtures folder '{directory}' does not exist (-OfflineFixturesDir).");

    public async IAsyncEnumerable<Event> EventsAsync([EnumeratorCancellation] CancellationToken cancellation)
    {
        foreach (var e in await ItemsAsync("events", required: false, cancellation)) yield return QTicketsJson.ParseEvent(e);
    }

    public async IAsyncEnumerable<Order> OrdersAsync(LoadWindow window, [EnumeratorCancellation] CancellationToken cancellation)
    {
        // Ascending ids, each once, as the API client yields them (a fixture file may hold a page twice or unsorted).
        var orders = (await ItemsAsync("orders", required: true, cancellation))
            .Select(o => QTicketsJson.ParseOrder(o, includePersonalData: false))
            .GroupBy(o => o.Id).Select(g => g.First()).OrderBy(o => o.Id);
        foreach (var order in orders) yield return order;
    }

    public async Task<Order?> OrderAsync(long id, CancellationToken cancellation)
    {
        await foreach (var order in OrdersAsync(new LoadWindow(DateTimeOffset.MinValue, DateTimeOffset.MaxValue, "by id"), cancellation).ConfigureAwait(false))
            if (order.Id == id) return order;
        return null;
    }

    public bool HasSeats => false;

    public PagesInFlightReport? PagesInFlight => null;

    public Task<ReferenceLists?> ReferenceListsAsync(CancellationToken cancellation) => Task.FromResult<ReferenceLists?>(null);

    public Task<ShowSeatTotals> SeatsAsync(long showId, CancellationToken cancellation) =>
        throw new NotSupportedException("Offline fixtures have no seat maps.");

    async Task<List<JsonElement>> ItemsAsync(string name, bool required, CancellationToken cancellation)
    {
        var path = new[] { $"{name}.json", $"{name}_sample.json", $"{name}_fixture.json", $"{name}_page1.json" }
            .Select(f => Path.Combine(_dir, f)).FirstOrDefault(File.Exists);
        if (path is null)
        {
            if (required)
                throw new FileNotFoundException($"No {name}.json (or {name}_sample.json, {name}_fixture.json, {name}_page1.json) in '{_dir}'.");
            return new List<JsonElement>();
        }
        await using var stream = File.OpenRead(path);
        using var doc = await JsonDocument.ParseAsync(stream, cancellationToken: cancellation);
        var root = doc.RootElement;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("data", out var data)) root = data;
        var items = root.ValueKind == JsonValueKind.Array ? root.EnumerateArray().Select(e => e.Clone()).ToList() : new List<JsonElement> { root.Clone() };
        return items;
    }
}
