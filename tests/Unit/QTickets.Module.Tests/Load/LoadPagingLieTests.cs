namespace QTickets.Module.Tests.Load;

/// <summary>
/// Scheduled runs (the script) against a sandbox whose paging lies: a total far too low, no paging at all, a total
/// far too high, and pages that contradict each other. Each lie either loads everything (ClickHouse FINAL equals
/// the sandbox's truth) or fails the run with exit 5 and the watermark unmoved; never "ok" with less.
/// </summary>
[Collection("Load end-to-end")]
public sealed class LoadPagingLieTests
{
    // All orders within the first backfill, about 17 pages of 50.
    static readonly string[] World = ["--seed", "31", "--orders", "800", "--history-days", "20"];

    static string[] With(params string[] lie) => [.. World, .. lie];

    static async Task<int> OrderPagesAsync(LoadRig rig) => ((await rig.Sandbox.OrderIdsAsync()).Count + 49) / 50;

    [Fact]
    public async Task A_total_far_too_low_still_backfills_every_order()
    {
        using var rig = new LoadRig(With("--total-override", "orders=40"));

        var r = await rig.ScriptAsync();

        Assert.True(r.ExitCode == 0, r.ToString());
        LoadRig.TwoLines(r.StdOut, 0);
        Assert.True(await OrderPagesAsync(rig) > 10, "the sandbox should hold many pages of orders");
        await rig.AssertTotalsMatchTruthAsync("after a backfill whose paging.total said 40");
        Assert.Contains("paging.total says 40 orders, but the pages held", r.StdOut + r.StdErr);
        rig.AssertNoSecretsOrPersonalData();
    }

    [Fact]
    public async Task Answers_without_paging_still_backfill_every_order_and_event()
    {
        using var rig = new LoadRig(With("--no-paging", "orders", "--no-paging", "events"));
        var events = (await rig.Sandbox.GetAsync("/events")).GetProperty("data").GetArrayLength();
        Assert.True(events >= 10, "the sandbox should hold more than one page of events");

        var r = await rig.ScriptAsync();

        Assert.True(r.ExitCode == 0, r.ToString());
        var json = LoadRig.TwoLines(r.StdOut, 0);
        Assert.True(json.GetProperty("events").GetInt32() > 10, r.ToString()); // past the first page of 10
        await rig.AssertTotalsMatchTruthAsync("after a backfill whose answers had no paging");
        Assert.Contains("has no paging: reading until the pages end", r.StdOut + r.StdErr);
        rig.AssertNoSecretsOrPersonalData();
    }

    [Fact]
    public async Task A_perPage_larger_than_the_pages_still_backfills_every_order()
    {
        using var rig = new LoadRig(With("--per-page-override", "orders=100"));
        var pages = await OrderPagesAsync(rig);
        await rig.Sandbox.ResetStatsAsync();

        var r = await rig.ScriptAsync();

        Assert.True(r.ExitCode == 0, r.ToString());
        LoadRig.TwoLines(r.StdOut, 0);
        await rig.AssertTotalsMatchTruthAsync("after a backfill whose paging.perPage said 100 for pages of 50");
        // Pages 1 and 2 show that a page holds 50; the rest is read in parallel by id, not one keyset run per page.
        var requests = await rig.Sandbox.RequestCountAsync("/orders");
        Assert.True(requests <= pages + 8, $"{requests} order requests for {pages} pages of orders");
    }

    [Fact]
    public async Task A_total_far_too_high_ends_at_the_last_real_page_instead_of_asking_for_thousands()
    {
        using var rig = new LoadRig(World);
        var pages = await OrderPagesAsync(rig);
        await rig.Sandbox.SetFaultsAsync("""{"rules":[{"type":"paging","path":"/orders","total":100000}]}""");
        await rig.Sandbox.ResetStatsAsync();

        var r = await rig.ScriptAsync();

        Assert.True(r.ExitCode == 0, r.ToString());
        LoadRig.TwoLines(r.StdOut, 0);
        var requests = await rig.Sandbox.RequestCountAsync("/orders");
        // The pages of the one changes read, at most the ones fetched ahead past the last one (twice the default ceiling
        // of 8 pages in flight: the adaptive reader runs at 8 against a fast sandbox), one keyset request; not 2000.
        Assert.True(requests >= pages && requests <= pages + 2 * 8 + 1, $"{requests} order requests for {pages} pages of orders");
        await rig.AssertTotalsMatchTruthAsync("after a backfill whose paging.total said 100000");
        Assert.Contains("paging.total says 100000 orders, but the pages end after", r.StdOut + r.StdErr);
    }

    [Fact]
    public async Task Pages_that_contradict_each_other_fail_the_run_with_exit_5_and_the_next_clean_run_equals_the_truth()
    {
        using var rig = new LoadRig(World);
        var backfill = await rig.ScriptAsync();
        Assert.True(backfill.ExitCode == 0, backfill.ToString());
        await rig.AdvanceAsync(TimeSpan.FromMinutes(15));
        var watermark = rig.Watermark();
        var errors = rig.Runs("error");
        // One page in the middle of a full re-read loses 10 rows; its paging stays honest.
        await rig.Sandbox.SetFaultsAsync("""{"rules":[{"type":"paging","path":"/orders","drop":10,"skip":2,"count":1}]}""");

        var lied = await rig.ScriptAsync(null, "-SinceHours", "480");

        Assert.True(lied.ExitCode == 5, lied.ToString());
        var json = LoadRig.TwoLines(lied.StdOut, 5);
        Assert.Equal("error", json.GetProperty("status").GetString());
        Assert.Equal("ApiError", json.GetProperty("error_kind").GetString());
        Assert.Matches(@"^The answers to GET /orders contradict each other: page \d+ held 40 orders where a page holds 50", json.GetProperty("message").GetString());
        Assert.Contains("contradict each other", lied.StdOut.Split('\n')[0]);
        Assert.Equal(watermark, rig.Watermark());
        Assert.Equal(errors + 1, rig.Runs("error"));

        await rig.Sandbox.ClearFaultsAsync();
        await rig.AdvanceAsync(TimeSpan.FromMinutes(15));
        var clean = await rig.ScriptAsync();
        Assert.True(clean.ExitCode == 0, clean.ToString());
        LoadRig.TwoLines(clean.StdOut, 0);
        await rig.AssertTotalsMatchTruthAsync("after a run that met contradicting pages and a clean run");
        rig.AssertNoSecretsOrPersonalData();
    }
}
