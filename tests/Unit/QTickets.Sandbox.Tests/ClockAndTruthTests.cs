using System.Globalization;
using System.Text.Json;

namespace QTickets.Sandbox.Tests;

public class ClockAndTruthTests
{
    /// <summary>Independent re-computation of the truth from what the API serves (the loader's job in miniature).</summary>
    private static Dictionary<(string, long), (int Orders, int Tickets, decimal Revenue)> TruthFromApi(List<JsonElement> orders)
    {
        var msk = TimeSpan.FromHours(3);
        var acc = new Dictionary<(string, long), (int, int, decimal)>();
        foreach (var o in orders)
        {
            if (!o.GetProperty("payed").GetBoolean() || o.GetProperty("deleted_at").ValueKind != JsonValueKind.Null) continue;
            int tickets = 0; decimal revenue = 0;
            foreach (var b in o.GetProperty("baskets").EnumerateArray())
            {
                if (b.GetProperty("deleted_at").ValueKind != JsonValueKind.Null) continue;
                var price = b.GetProperty("price").GetDecimal();
                var refunded = b.GetProperty("refunded_at").ValueKind == JsonValueKind.Null ? 0 : b.GetProperty("refunded_amount").GetDecimal();
                revenue += price - refunded;
                if (refunded < price || b.GetProperty("refunded_at").ValueKind == JsonValueKind.Null) tickets++;
            }
            if (tickets == 0) continue;
            var day = DateTimeOffset.Parse(o.GetProperty("payed_at").GetString()!, CultureInfo.InvariantCulture).ToOffset(msk).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var key = (day, o.GetProperty("event_id").GetInt64());
            var cur = acc.GetValueOrDefault(key);
            acc[key] = (cur.Item1 + 1, cur.Item2 + tickets, cur.Item3 + revenue);
        }
        return acc;
    }

    private static Dictionary<(string, long), (int, int, decimal)> TruthFromEndpoint(JsonElement truth) =>
        truth.GetProperty("rows").EnumerateArray().ToDictionary(
            r => (r.GetProperty("date").GetString()!, r.GetProperty("event_id").GetInt64()),
            r => (r.GetProperty("paid_orders").GetInt32(), r.GetProperty("tickets").GetInt32(), r.GetProperty("revenue").GetDecimal()));

    [Fact]
    public async Task Truth_matches_an_independent_computation_before_and_after_advancing()
    {
        await using var s = await Sandbox.StartAsync(o => { o.Seed = 11; o.Orders = 1500; });
        var truth = await s.ControlAsync(HttpMethod.Get, "/_sandbox/truth");
        Assert.Contains("refunded_amount", truth.GetProperty("definition").GetString());
        var expected = TruthFromApi(await s.AllOrdersAsync());
        Assert.Equal(expected.OrderBy(k => k.Key), TruthFromEndpoint(truth).OrderBy(k => k.Key));
        Assert.Equal(expected.Values.Sum(v => v.Revenue), truth.GetProperty("totals").GetProperty("revenue").GetDecimal());

        await s.ControlAsync(HttpMethod.Post, "/_sandbox/clock/advance", "{\"hours\":30}");
        var truth2 = await s.ControlAsync(HttpMethod.Get, "/_sandbox/truth");
        var expected2 = TruthFromApi(await s.AllOrdersAsync());
        Assert.Equal(expected2.OrderBy(k => k.Key), TruthFromEndpoint(truth2).OrderBy(k => k.Key));
        Assert.NotEqual(truth.GetProperty("totals").GetRawText(), truth2.GetProperty("totals").GetRawText());
    }

    [Fact]
    public async Task Advancing_the_clock_creates_pays_expires_and_stamps_updated_at()
    {
        await using var s = await Sandbox.StartAsync(o => { o.Seed = 5; o.Orders = 6000; o.RatePerHour = 40; });
        var now0 = (await s.ControlAsync(HttpMethod.Get, "/_sandbox/clock")).GetProperty("now").GetString()!;
        Assert.Equal("2026-11-20T12:00:00+03:00", now0);
        var before = await s.AllOrdersAsync();
        Assert.DoesNotContain(before, o => DateTimeOffset.Parse(o.GetProperty("updated_at").GetString()!) > DateTimeOffset.Parse(now0));

        var adv = await s.ControlAsync(HttpMethod.Post, "/_sandbox/clock/advance", "{\"minutes\":1440}");
        var now1 = adv.GetProperty("now").GetString()!;
        Assert.Equal("2026-11-21T12:00:00+03:00", now1);
        Assert.True(adv.GetProperty("created").GetInt32() > 0);
        Assert.True(adv.GetProperty("paid").GetInt32() > 0);
        Assert.True(adv.GetProperty("expired").GetInt32() + adv.GetProperty("cancelled").GetInt32() > 0, adv.GetRawText());

        var changed = await s.AllOrdersAsync($"[{{\"column\":\"updated_at\",\"operator\":\">\",\"value\":\"{now0}\"}}]");
        Assert.Equal(adv.GetProperty("changedOrders").GetInt32(), changed.Count);
        Assert.All(changed, o => Assert.Equal(now1, o.GetProperty("updated_at").GetString()));
        var beforeIds = before.Select(o => o.GetProperty("id").GetInt64()).ToHashSet();
        var created = changed.Where(o => !beforeIds.Contains(o.GetProperty("id").GetInt64())).ToList();
        Assert.Equal(adv.GetProperty("created").GetInt32(), created.Count);
        Assert.All(created, o =>
        {
            var c = DateTimeOffset.Parse(o.GetProperty("created_at").GetString()!);
            Assert.True(c > DateTimeOffset.Parse(now0) && c <= DateTimeOffset.Parse(now1));
            Assert.True(o.GetProperty("id").GetInt64() > beforeIds.Max());
        });
        // some reservations pending before the advance got paid in the interval
        Assert.Contains(changed, o => beforeIds.Contains(o.GetProperty("id").GetInt64()) && o.GetProperty("payed").GetBoolean()
            && DateTimeOffset.Parse(o.GetProperty("payed_at").GetString()!) > DateTimeOffset.Parse(now0));
        var unchanged = await s.AllOrdersAsync($"[{{\"column\":\"updated_at\",\"operator\":\"<=\",\"value\":\"{now0}\"}}]");
        Assert.Equal(s.Server.Store.Orders.Count, unchanged.Count + changed.Count);
    }

    [Fact]
    public async Task Same_seed_and_advances_give_identical_data()
    {
        async Task<string> Run(long seed)
        {
            await using var s = await Sandbox.StartAsync(o => { o.Seed = seed; o.Orders = 400; });
            await s.ControlAsync(HttpMethod.Post, "/_sandbox/clock/advance", "{\"minutes\":15}");
            await s.ControlAsync(HttpMethod.Post, "/_sandbox/clock/advance", "{\"hours\":6}");
            var (_, body, _) = await s.GetAsync("/orders", "{\"orderBy\":{\"updated_at\":\"desc\"},\"per_page\":300}");
            var truth = await s.ControlAsync(HttpMethod.Get, "/_sandbox/truth");
            return body + truth.GetRawText();
        }
        var a = await Run(3);
        Assert.Equal(a, await Run(3));
        Assert.NotEqual(a, await Run(4));
    }
}
