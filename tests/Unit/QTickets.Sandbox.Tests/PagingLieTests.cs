using System.Text.Json;
using QTickets.Sandbox.Server;

namespace QTickets.Sandbox.Tests;

/// <summary>The paging lies the sandbox tells on request: from the command line for its lifetime, or as fault rules.</summary>
public class PagingLieTests
{
    static List<long> Ids(JsonElement page) => page.GetProperty("data").EnumerateArray().Select(o => o.GetProperty("id").GetInt64()).ToList();

    [Fact]
    public async Task Command_line_lies_total_perPage_and_no_paging_leave_the_rows_as_they_are()
    {
        await using var honest = await Sandbox.StartAsync(o => { o.Seed = 2; o.Orders = 300; });
        await using var lying = await Sandbox.StartAsync(o =>
        {
            o.Seed = 2;
            o.Orders = 300;
            var parsed = SandboxOptions.Parse(["--total-override", "orders=40", "--per-page-override", "orders=7", "--no-paging", "events"]);
            foreach (var kv in parsed.TotalOverrides) o.TotalOverrides[kv.Key] = kv.Value;
            foreach (var kv in parsed.PerPageOverrides) o.PerPageOverrides[kv.Key] = kv.Value;
            o.NoPaging.UnionWith(parsed.NoPaging);
        });
        const string page2 = """{"page":2}""";

        var truth = await honest.GetJsonAsync("/orders", page2);
        var lie = await lying.GetJsonAsync("/orders", page2);
        var events = await lying.GetJsonAsync("/events");

        Assert.Equal(Ids(truth), Ids(lie));
        Assert.Equal(300, truth.GetProperty("paging").GetProperty("total").GetInt32());
        Assert.Equal(40, lie.GetProperty("paging").GetProperty("total").GetInt32());
        Assert.Equal(7, lie.GetProperty("paging").GetProperty("perPage").GetInt32());
        Assert.Equal(2, lie.GetProperty("paging").GetProperty("currentPage").GetInt32());
        Assert.Equal(["data"], events.EnumerateObject().Select(p => p.Name));
        Assert.Equal(10, events.GetProperty("data").GetArrayLength());
    }

    [Theory]
    [InlineData("--total-override", "tickets=5", "unknown resource 'tickets'")]
    [InlineData("--total-override", "orders=many", "needs [RES=]N")]
    [InlineData("--per-page-override", "0", "needs a positive page size")]
    [InlineData("--no-paging=baskets", null, "unknown resource 'baskets'")]
    public void Command_line_lies_refuse_what_they_cannot_tell(string option, string? value, string expected)
    {
        var args = value is null ? new[] { option } : new[] { option, value };
        var ex = Assert.Throws<ArgumentException>(() => SandboxOptions.Parse(args));
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void No_paging_without_a_resource_means_orders_and_leaves_the_next_option_alone()
    {
        var o = SandboxOptions.Parse(["--no-paging", "--orders", "5"]);
        Assert.Equal(["orders"], o.NoPaging);
        Assert.Equal(5, o.Orders);
    }

    [Fact]
    public async Task A_paging_rule_lies_on_list_answers_only_as_often_as_told()
    {
        await using var s = await Sandbox.StartAsync(o => { o.Seed = 2; o.Orders = 300; });
        var honest = await s.GetJsonAsync("/orders");
        var firstId = Ids(honest)[0];
        await s.ControlAsync(HttpMethod.Post, "/_sandbox/faults", """
            {"rules":[{"type":"paging","path":"/orders","total":100000,"count":1},
                      {"type":"paging","path":"/orders","omit":true,"count":1},
                      {"type":"paging","path":"/orders","drop":10,"count":1}]}
            """);

        var byId = await s.GetJsonAsync($"/orders/{firstId}"); // not a list: untouched, the rule not spent
        var high = await s.GetJsonAsync("/orders");
        var missing = await s.GetJsonAsync("/orders");
        var cut = await s.GetJsonAsync("/orders");
        var after = await s.GetJsonAsync("/orders");

        Assert.Equal(firstId, byId.GetProperty("data").GetProperty("id").GetInt64());
        Assert.Equal(100000, high.GetProperty("paging").GetProperty("total").GetInt32());
        Assert.Equal(Ids(honest), Ids(high));
        Assert.False(missing.TryGetProperty("paging", out _));
        Assert.Equal(Ids(honest), Ids(missing));
        Assert.Equal(40, Ids(cut).Count);
        Assert.Equal(Ids(honest)[0], Ids(cut)[0]);
        Assert.Equal(Ids(honest)[^1], Ids(cut)[^1]);
        Assert.Equal(honest.GetProperty("paging").GetRawText(), cut.GetProperty("paging").GetRawText());
        Assert.Equal(honest.GetRawText(), after.GetRawText());
        var stats = await s.ControlAsync(HttpMethod.Get, "/_sandbox/stats");
        Assert.Equal(3, stats.GetProperty("faults").GetProperty("paging").GetInt32());
    }

    [Fact]
    public void A_paging_rule_must_say_what_to_lie_about()
    {
        var ex = Assert.Throws<FormatException>(() => FaultSpec.Parse("""{"rules":[{"type":"paging","path":"/orders"}]}"""));
        Assert.Contains("a paging rule needs total, perPage, omit:true or drop", ex.Message);
    }
}
