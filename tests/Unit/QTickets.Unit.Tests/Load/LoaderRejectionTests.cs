using System.Text.Json.Nodes;
using QTickets.Core.Load;
using QTickets.Tests.Shared;
using QTickets.Unit.Tests.Api;

namespace QTickets.Unit.Tests.Load;

/// <summary>The loader over saved answers (no ClickHouse: a dry run) with one order whose id is "abc" and one whose price is "12,5 руб".</summary>
public sealed class LoaderRejectionTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("qt-rejects-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Unreadable_ids_and_amounts_are_rejected_by_name_and_counted_never_loaded_as_0()
    {
        var page = JsonNode.Parse(File.ReadAllText(Fixtures.PathOf("orders_page1.json")))!.AsObject();
        var data = page["data"]!.AsArray();
        var paid = data.Where(o => o!["payed"]!.GetValue<bool>()).ToList();
        var badPrice = paid[3]!;
        var badPriceId = badPrice["id"]!.GetValue<long>();
        badPrice["baskets"]![0]!["price"] = "12,5 руб";
        paid[7]!["id"] = "abc";
        File.WriteAllText(Path.Combine(_dir, "orders.json"), page.ToJsonString());
        File.Copy(Fixtures.PathOf("events_page1.json"), Path.Combine(_dir, "events.json"));

        var observer = new RecordingObserver();
        var summary = await new QTicketsLoader(new FixtureLoadSource(_dir), null,
            new LoadOptions { DryRun = true, SkipInventory = true }, observer).RunAsync(default);

        Assert.Equal(QTickets.Core.Load.LoadStatus.DryRun, summary.Status);
        Assert.Equal(50, summary.Orders);
        Assert.Equal(2, summary.RejectedOrders);
        Assert.Equal(38, summary.SalesRows); // 40 paid orders in the capture, 2 rejected
        Assert.Contains($"Order {badPriceId} rejected: basket ", string.Join("\n", observer.Warnings));
        Assert.Contains(observer.Warnings, w => w.StartsWith($"Order {badPriceId} rejected: ", StringComparison.Ordinal) &&
                                                w.EndsWith(": price '12,5 руб' is not an amount of money", StringComparison.Ordinal));
        Assert.Contains("Order with unreadable id 'abc' rejected: id 'abc' is not a positive whole number", observer.Warnings);
        Assert.DoesNotContain(observer.Warnings, w => w.Contains("Order 0", StringComparison.Ordinal));
        Assert.Contains("2 order(s) rejected", summary.Message);
        Assert.Contains("(2 rejected)", summary.HumanLine);
    }
}
