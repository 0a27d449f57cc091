using System.Text.Json;
using BenchmarkDotNet.Attributes;
using QTickets.Core.Json;
using QTickets.Core.Model;
using QTickets.Core.Transform;

namespace QTickets.Benchmarks;

/// <summary>
/// The genuine first page of `GET /orders` (50 orders, 139 tickets, 118 KB as served): the floor is plain
/// System.Text.Json into a minimal class of the fields a sales row needs; then the module's tolerant parse into
/// Orders (which also writes each order's scrubbed payload_json); then parse and convert to SalesRows.
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

    [GlobalSetup]
    public void Setup()
    {
        _page = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "orders_page1.json"));
        using var events = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "events_page1.json")));
        _events = new EventDirectory(events.RootElement.GetProperty("data").EnumerateArray().Select(QTicketsJson.ParseEvent).ToList());
        _converter = new SalesRowConverter(WallClock.Moscow, 1);
        using (var page = JsonDocument.Parse(_page))
            _orders = page.RootElement.GetProperty("data").EnumerateArray().Select(o => QTicketsJson.ParseOrder(o, false)).ToArray();
        if (Convert() != OrdersPerPage - 10 || Floor() != OrdersPerPage)
            throw new InvalidOperationException("The page is not the genuine fixture page.");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = OrdersPerPage, Description = "Floor: STJ deserialize into a minimal class")]
    public int Floor() => JsonSerializer.Deserialize(_page, MinimalJsonContext.Default.MinimalPage)!.data.Count;

    [Benchmark(OperationsPerInvoke = OrdersPerPage, Description = "Parse into Order (incl. scrubbed payload)")]
    public int Parse()
    {
        using var document = JsonDocument.Parse(_page);
        var count = 0;
        foreach (var item in document.RootElement.GetProperty("data").EnumerateArray())
        {
            var order = QTicketsJson.ParseOrder(item, includePersonalData: false);
            count += order.Baskets.Count > 0 ? 1 : 0;
        }
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
        using var document = JsonDocument.Parse(_page);
        var rows = 0;
        foreach (var item in document.RootElement.GetProperty("data").EnumerateArray())
        {
            var order = QTicketsJson.ParseOrder(item, includePersonalData: false);
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
