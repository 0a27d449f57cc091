using System.Text.Json;
using BenchmarkDotNet.Attributes;
using QTickets.Core.Json;
using QTickets.Core.Model;
using QTickets.Core.Transform;
using QTickets.Engine.Api;

namespace QTickets.Benchmarks;

/// <summary>
/// The genuine first page of `GET /orders` (50 orders, 139 tickets, 118 KB as served): the floor is plain
/// System.Text.Json into a minimal class of the fields a sales row needs; then the module's read of the page into
/// Orders (which also writes each order's scrubbed payload_json) by the very method the transport calls with a 2xx
/// body of an orders page (<see cref="PageFormat.Orders"/>: one Utf8JsonReader over the page, no JsonDocument); then that
/// read and the conversion to SalesRows. Beside them, what a JsonDocument of the page alone costs.
/// OperationsPerInvoke makes every figure per order.
/// </summary>
[MemoryDiagnoser]
public class ParseAndConvertBenchmarks
{
    const int OrdersPerPage = 50;
    byte[] _page = null!;
    EventDirectory _events = null!;
    SalesRowConverter _converter = null!;
    Order[] _orders = null!;
    readonly PageFormat<Order> _format = PageFormat.Orders(includePersonalData: false);

    [GlobalSetup]
    public void Setup()
    {
        _page = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "orders_page1.json"));
        using var events = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "events_page1.json")));
        _events = new EventDirectory(events.RootElement.GetProperty("data").EnumerateArray().Select(QTicketsJson.ParseEvent).ToList());
        _converter = new SalesRowConverter(WallClock.Moscow, 1);
        _orders = ReadPage().ToArray();
        if (Convert() != OrdersPerPage - 10 || Floor() != OrdersPerPage)
            throw new InvalidOperationException("The page is not the genuine fixture page.");
    }

    /// <summary>The page as production reads it: the transport's reader of orders pages, and a page's checks.</summary>
    List<Order> ReadPage()
    {
        var page = _format.Read(_page, out _);
        return page.Problem is null ? page.Items : throw new InvalidOperationException($"The page {page.Problem}.");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = OrdersPerPage, Description = "Floor: STJ deserialize into a minimal class")]
    public int Floor() => JsonSerializer.Deserialize(_page, MinimalJsonContext.Default.MinimalPage)!.data.Count;

    [Benchmark(OperationsPerInvoke = OrdersPerPage, Description = "Parse into Order (incl. scrubbed payload)")]
    public int Parse()
    {
        var count = 0;
        foreach (var order in ReadPage())
            count += order.Baskets.Count > 0 ? 1 : 0;
        return count;
    }

    [Benchmark(OperationsPerInvoke = OrdersPerPage, Description = "The page's JsonDocument only")]
    public int Document()
    {
        using var document = JsonDocument.Parse(_page);
        return document.RootElement.GetProperty("data").GetArrayLength();
    }

    [Benchmark(OperationsPerInvoke = OrdersPerPage, Description = "Parse + convert to SalesRow")]
    public int Convert()
    {
        var rows = 0;
        foreach (var order in ReadPage())
        {
            _events.TryGet(order.EventId, out var ev);
            if (_converter.ToSalesRow(order, ev, out _) is not null) rows++;
        }
        return rows;
    }

    [Benchmark(OperationsPerInvoke = OrdersPerPage, Description = "Convert parsed Orders to SalesRow only")]
    public int ConvertOnly()
    {
        var rows = 0;
        foreach (var order in _orders)
        {
            _events.TryGet(order.EventId, out var ev);
            if (_converter.ToSalesRow(order, ev, out _) is not null) rows++;
        }
        return rows;
    }
}
