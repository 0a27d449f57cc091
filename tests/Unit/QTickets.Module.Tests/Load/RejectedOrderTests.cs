using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Text.Json;

namespace QTickets.Module.Tests.Load;

/// <summary>
/// The sandbox's lies (unreadable numbers, an event missing from /events) through the scheduled script and the real
/// ClickHouse: while a lie lasts no run says ok, the rejected orders wait in qtickets_rejected_orders and are fetched
/// by id on every run; the first clean run after the lie ends equals the sandbox's truth and leaves none open.
/// </summary>
[Collection("Load end-to-end")]
public sealed class RejectedOrderTests
{
    const string Table = "qtickets_rejected_orders";

    static string[] Args(params string[] extra) =>
        new[] { "--seed", "43", "--orders", "900", "--history-days", "10" }.Concat(extra).ToArray();

    /// <summary>The latest row of each order in the table: order id → (state, problem, attempts).</summary>
    static Dictionary<string, (string State, string Problem, long Attempts)> Rejected(LoadRig rig) =>
        rig.Ch.Admin($"SELECT order_id, argMax(state, _ver), argMax(problem, _ver), argMax(attempts, _ver) FROM {rig.Db}.{Table} " +
                     "GROUP BY order_id ORDER BY order_id FORMAT TSVRaw")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t'))
            .ToDictionary(f => f[0], f => (f[1], f[2], long.Parse(f[3], CultureInfo.InvariantCulture)));

    static int Open(LoadRig rig) => Rejected(rig).Values.Count(r => r.State == "open");

    /// <summary>A run that rejected orders: exit 8, status partial, the summary counting what the table holds open.</summary>
    static async Task<JsonElement> PartialRunAsync(LoadRig rig, string what)
    {
        var r = await rig.ScriptAsync();
        Assert.True(r.ExitCode == 8, $"{what}: {r}");
        var json = LoadRig.TwoLines(r.StdOut, 8);
        Assert.Equal("partial", json.GetProperty("status").GetString());
        Assert.StartsWith("qtickets_api partial (exit 8 Rejected): ", r.StdOut);
        var open = json.GetProperty("rejected_orders").GetInt32();
        Assert.True(open > 0, $"{what}: nothing rejected");
        Assert.Equal(open, Open(rig));
        Assert.Contains($"{open} order(s) rejected, kept in {Table}", json.GetProperty("message").GetString());
        // The watermark moves: the rejected orders are retried by id, not by keeping the window open.
        Assert.Equal(DateTimeOffset.Parse(json.GetProperty("window_end").GetString()!, CultureInfo.InvariantCulture).ToUnixTimeSeconds(),
                     DateTimeOffset.Parse(rig.Watermark(), CultureInfo.InvariantCulture).ToUnixTimeSeconds());
        return json;
    }

    static async Task CleanRunEqualsTheTruthAsync(LoadRig rig, string after, int reloaded)
    {
        var r = await rig.ScriptAsync();
        Assert.True(r.ExitCode == 0, $"the first clean run after {after}: {r}");
        var json = LoadRig.TwoLines(r.StdOut, 0);
        Assert.Equal("ok", json.GetProperty("status").GetString());
        Assert.Equal(0, json.GetProperty("rejected_orders").GetInt32());
        Assert.Equal(reloaded, json.GetProperty("reloaded_orders").GetInt32());
        await rig.AssertTotalsMatchTruthAsync("after " + after);
        Assert.Equal(0, Open(rig));
        Assert.Equal(0L, Freshness(rig, json).OpenRejectedOrders);
        rig.AssertNoSecretsOrPersonalData();
    }

    sealed record FreshnessView(bool Healthy, long OpenRejectedOrders, string Problems);

    static FreshnessView Freshness(LoadRig rig, JsonElement lastRun)
    {
        var r = rig.Session.Run("Test-QTicketsFreshness -EnvFile $envFile -Now $now -MaxFailedPercent 100",
            new Hashtable
            {
                ["envFile"] = rig.EnvFile,
                ["now"] = DateTimeOffset.Parse(lastRun.GetProperty("window_end").GetString()!, CultureInfo.InvariantCulture),
            });
        var o = Assert.Single(r.Output);
        return new FreshnessView((bool)o.Properties["Healthy"].Value, (long)o.Properties["OpenRejectedOrders"].Value,
            (string)o.Properties["Problems"].Value);
    }

    static void AssertDiffersFromTheTruth(LoadRig rig, SortedDictionary<string, LoadRig.Cell> truth, string when) =>
        Assert.True(!truth.SequenceEqual(rig.FactsFinal()), $"ClickHouse equals the truth {when}: the lie hid nothing");

    [Fact]
    public async Task Unreadable_prices_reject_their_orders_until_the_API_serves_numbers_again()
    {
        using var rig = new LoadRig(Args("--lies", """{"unreadable":{"field":"price","every":20}}"""));
        var truth = await rig.TruthAsync();

        var first = await PartialRunAsync(rig, "the backfill with unreadable prices");
        AssertDiffersFromTheTruth(rig, truth, "after the backfill");
        var rejected = Rejected(rig);
        Assert.All(rejected, r =>
        {
            Assert.Equal(0, long.Parse(r.Key, CultureInfo.InvariantCulture) % 20);
            Assert.Contains("price '12,5 руб' is not an amount of money", r.Value.Problem);
            Assert.Equal(1, r.Value.Attempts);
        });
        Assert.Equal("partial", rig.Ch.Admin($"SELECT status FROM {rig.Db}.meta_job_runs ORDER BY started_at DESC LIMIT 1"));
        var unhealthy = Freshness(rig, first);
        Assert.False(unhealthy.Healthy);
        Assert.Equal(rejected.Count, unhealthy.OpenRejectedOrders);
        Assert.Contains($"{rejected.Count} rejected order(s) wait for a reload", unhealthy.Problems);

        // Still lying: every open order is fetched by id again, and the run is still not ok.
        await rig.AdvanceAsync(TimeSpan.FromMinutes(15));
        await rig.Sandbox.ResetStatsAsync();
        var second = await PartialRunAsync(rig, "a run while the prices are still unreadable");
        Assert.True(second.GetProperty("retried_orders").GetInt32() > 0);
        Assert.Equal(second.GetProperty("retried_orders").GetInt32(), await rig.Sandbox.RequestCountAsync("/orders/{id}", "200"));
        Assert.Contains(Rejected(rig).Values, r => r.Attempts == 2);

        await rig.Sandbox.ClearLiesAsync();
        await rig.AdvanceAsync(TimeSpan.FromMinutes(15));
        await CleanRunEqualsTheTruthAsync(rig, "the prices became numbers again", reloaded: Open(rig));
    }

    [Fact]
    public async Task An_event_missing_from_events_rejects_its_orders_until_it_comes_back()
    {
        using var rig = new LoadRig(Args());
        var truth = await rig.TruthAsync();
        // The event with the most tickets, hidden for 40 virtual minutes.
        var eventId = truth.GroupBy(c => c.Key.Split(' ')[1]).OrderByDescending(g => g.Sum(c => c.Value.Tickets)).First().Key;
        var back = DateTimeOffset.Parse(await rig.NowAsync(), CultureInfo.InvariantCulture).AddMinutes(40);
        await rig.Sandbox.SetLiesAsync($$"""{"hideEvents":[{"id":{{eventId}},"until":"{{back:yyyy-MM-ddTHH:mm:sszzz}}"}]}""");

        await PartialRunAsync(rig, "the backfill without the event");
        AssertDiffersFromTheTruth(rig, truth, "without the event");
        Assert.All(Rejected(rig).Values, r => Assert.Contains($"the order's event {eventId} is unknown", r.Problem));
        Assert.Equal(0L, rig.Ch.Count($"SELECT count() FROM {rig.Db}.stg_qtickets_api_orders_raw WHERE event_id = '{eventId}'"));

        await rig.AdvanceAsync(TimeSpan.FromMinutes(20));
        var still = await PartialRunAsync(rig, "a run while the event is still missing");
        Assert.True(still.GetProperty("retried_orders").GetInt32() > 0);

        // The clock passes the lie's end: the event is back, and its orders are fetched by id and loaded.
        await rig.AdvanceAsync(TimeSpan.FromMinutes(25));
        await CleanRunEqualsTheTruthAsync(rig, "the event came back", reloaded: Open(rig));
    }

    [Fact]
    public async Task Orders_a_person_marks_ignored_are_no_longer_retried_nor_fail_the_run()
    {
        using var rig = new LoadRig(Args());
        var end = DateTimeOffset.Parse(await rig.NowAsync(), CultureInfo.InvariantCulture).AddMinutes(10);
        await rig.Sandbox.SetLiesAsync($$$"""{"unreadable":{"field":"quantity","every":15,"until":"{{{end:yyyy-MM-ddTHH:mm:sszzz}}}"}}""");
        var first = await PartialRunAsync(rig, "the backfill with unreadable quantities");
        var rejected = Rejected(rig);
        Assert.All(rejected.Values, r => Assert.Contains("quantity 'two' is not a whole number of tickets", r.Problem));
        Assert.Equal(first.GetProperty("rejected_orders").GetInt32(), rejected.Count);

        // What README tells a person to run (as a user allowed to ALTER the table).
        rig.Ch.Admin($"ALTER TABLE {rig.Db}.{Table} UPDATE state = 'ignored', note = 'checked by hand' " +
                     "WHERE job = 'qtickets_api' AND state = 'open' SETTINGS mutations_sync = 1");

        // The lie is over, but nobody fetches the ignored orders again: the run is ok and freshness sees none open.
        await rig.AdvanceAsync(TimeSpan.FromMinutes(15));
        await rig.Sandbox.ResetStatsAsync();
        var r = await rig.ScriptAsync();
        Assert.True(r.ExitCode == 0, r.ToString());
        var json = LoadRig.TwoLines(r.StdOut, 0);
        Assert.Equal(0, json.GetProperty("retried_orders").GetInt32());
        Assert.Equal(0L, await rig.Sandbox.RequestCountAsync("/orders/{id}"));
        Assert.Equal(0, Open(rig));
        Assert.Equal(0L, Freshness(rig, json).OpenRejectedOrders);

        // A reload of every order brings the ignored ones in; their rows stay as the person left them.
        var all = await rig.ScriptAsync(null, "-SinceHours", "480");
        Assert.True(all.ExitCode == 0, all.ToString());
        await rig.AssertTotalsMatchTruthAsync("after the reload of every order");
        Assert.All(Rejected(rig).Values, v => Assert.Equal("ignored", v.State));
        Assert.Equal("checked by hand", rig.Ch.Admin($"SELECT DISTINCT note FROM {rig.Db}.{Table} FINAL").Trim());
    }
}
