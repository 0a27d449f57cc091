using System.Text.Json;

namespace QTickets.Sandbox.Tests;

/// <summary>The sandbox's lies: wrong answers on purpose, in the list and by id, ending with the virtual clock or on DELETE; the truth never lies.</summary>
public class LiesTests
{
    static async Task<Sandbox> Start(string? lies = null) => await Sandbox.StartAsync(o => { o.Seed = 3; o.Orders = 400; o.Lies = lies; });

    static string Later(JsonElement clock, int minutes) =>
        DateTimeOffset.Parse(clock.GetProperty("now").GetString()!).AddMinutes(minutes).ToString("yyyy-MM-ddTHH:mm:sszzz");

    [Theory]
    [InlineData("price", "12,5 руб")]
    [InlineData("quantity", "two")]
    public async Task Unreadable_values_are_served_for_every_nth_order_in_lists_and_by_id_until_the_clock_passes_the_end(string field, string served)
    {
        await using var s = await Start();
        var truth = (await s.ControlAsync(HttpMethod.Get, "/_sandbox/truth")).GetProperty("totals").GetRawText();
        var end = Later(await s.ControlAsync(HttpMethod.Get, "/_sandbox/clock"), 30);
        await s.ControlAsync(HttpMethod.Post, "/_sandbox/lies", $$$"""{"unreadable":{"field":"{{{field}}}","every":10,"until":"{{{end}}}"}}""");

        var orders = await s.AllOrdersAsync();
        foreach (var o in orders)
        {
            var first = o.GetProperty("baskets")[0].GetProperty(field);
            var lied = o.GetProperty("id").GetInt64() % 10 == 0;
            Assert.Equal(lied, first.ValueKind == JsonValueKind.String && first.GetString() == served);
        }
        var liar = orders.First(o => o.GetProperty("id").GetInt64() % 10 == 0).GetProperty("id").GetInt64();
        var byId = await s.GetJsonAsync($"/orders/{liar}");
        Assert.Equal(served, byId.GetProperty("data").GetProperty("baskets")[0].GetProperty(field).GetString());
        Assert.Equal(truth, (await s.ControlAsync(HttpMethod.Get, "/_sandbox/truth")).GetProperty("totals").GetRawText());

        await s.ControlAsync(HttpMethod.Post, "/_sandbox/clock/advance", """{"minutes":31}""");
        var after = await s.GetJsonAsync($"/orders/{liar}");
        Assert.Equal(JsonValueKind.Number, after.GetProperty("data").GetProperty("baskets")[0].GetProperty(field).ValueKind);
        Assert.False((await s.ControlAsync(HttpMethod.Get, "/_sandbox/lies")).GetProperty("unreadableActive").GetBoolean());
    }

    [Fact]
    public async Task A_hidden_event_is_absent_from_the_list_and_its_total_and_404_by_id_until_it_comes_back()
    {
        await using var s = await Start();
        var all = await s.GetJsonAsync("/events", """{"per_page":100}""");
        var total = all.GetProperty("paging").GetProperty("total").GetInt32();
        var hidden = all.GetProperty("data")[2].GetProperty("id").GetInt64();
        var end = Later(await s.ControlAsync(HttpMethod.Get, "/_sandbox/clock"), 30);
        await s.ControlAsync(HttpMethod.Post, "/_sandbox/lies", $$"""{"hideEvents":[{"id":{{hidden}},"until":"{{end}}"}]}""");

        // Paged in 5s: every page agrees with the total, and the event is on none of them.
        var seen = new List<long>();
        for (var page = 1; ; page++)
        {
            var p = await s.GetJsonAsync("/events", $$"""{"per_page":5,"page":{{page}}}""");
            Assert.Equal(total - 1, p.GetProperty("paging").GetProperty("total").GetInt32());
            var ids = p.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetInt64()).ToList();
            seen.AddRange(ids);
            if (ids.Count < 5) break;
        }
        Assert.Equal(total - 1, seen.Count);
        Assert.DoesNotContain(hidden, seen);
        Assert.Equal(404, (await s.GetAsync($"/events/{hidden}")).Status);
        // Its orders are still served.
        Assert.Contains(await s.AllOrdersAsync(), o => o.GetProperty("event_id").GetInt64() == hidden);

        await s.ControlAsync(HttpMethod.Post, "/_sandbox/clock/advance", """{"minutes":31}""");
        Assert.Equal(total, (await s.GetJsonAsync("/events", """{"per_page":100}""")).GetProperty("paging").GetProperty("total").GetInt32());
        Assert.Equal(200, (await s.GetAsync($"/events/{hidden}")).Status);
    }

    [Fact]
    public async Task Lies_from_the_command_line_last_until_deleted_and_a_bad_spec_is_refused()
    {
        await using var s = await Start("""{"unreadable":{"field":"price","every":1}}""");
        Assert.Equal("12,5 руб", (await s.AllOrdersAsync())[0].GetProperty("baskets")[0].GetProperty("price").GetString());
        await s.ControlAsync(HttpMethod.Delete, "/_sandbox/lies");
        Assert.Equal(JsonValueKind.Number, (await s.AllOrdersAsync())[0].GetProperty("baskets")[0].GetProperty("price").ValueKind);

        var bad = await s.Http.PostAsync(s.Root + "/_sandbox/lies", new StringContent("""{"unreadable":{"field":"city"}}"""));
        Assert.Equal(400, (int)bad.StatusCode);
        Assert.Contains("price or quantity", await bad.Content.ReadAsStringAsync());
        var unknown = await s.Http.PostAsync(s.Root + "/_sandbox/lies", new StringContent("""{"hideOrders":[1]}"""));
        Assert.Equal(400, (int)unknown.StatusCode);
    }
}
