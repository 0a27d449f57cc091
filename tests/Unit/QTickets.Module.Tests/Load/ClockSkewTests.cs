using System.Globalization;
using System.Text.Json;
using Xunit.Abstractions;

namespace QTickets.Module.Tests.Load;

/// <summary>
/// The loader's clock jumps ahead and back between runs while the sandbox's clock only moves forward (payments,
/// refunds, cancellations): after every run on the right clock, staging FINAL and the daily facts FINAL equal the
/// sandbox's truth, because no version follows the loader's clock backwards. Then today is corrupted (a staging
/// row deleted, a fact row written with a version from a clock ten days ahead) and Compare-QTicketsClickHouse
/// -Repair repairs it.
/// </summary>
[Collection("Load end-to-end")]
public sealed class ClockSkewTests(ITestOutputHelper output)
{
    static string Shift(string now, TimeSpan by) =>
        DateTimeOffset.Parse(now, CultureInfo.InvariantCulture).Add(by).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture);

    static JsonElement Run(LoadRig rig, string now, string what)
    {
        var (code, lines, _) = rig.InProcess(now);
        Assert.True(code == 0, $"{what} at {now}: exit {code}\n{string.Join("\n", lines)}");
        Assert.Equal(2, lines.Count);
        using var doc = JsonDocument.Parse(lines[1]);
        return doc.RootElement.Clone();
    }

    ulong MaxFactsVersion(LoadRig rig) => ulong.Parse(rig.Ch.Admin(
        $"SELECT greatest((SELECT max(_ver) FROM {rig.Db}.fact_qtickets_sales_daily), (SELECT max(_ver) FROM {rig.Db}.fact_qtickets_sales_utm_daily))"),
        CultureInfo.InvariantCulture);

    [Fact]
    public async Task Runs_on_a_clock_ahead_then_back_leave_staging_and_facts_equal_to_the_truth_and_repair_covers_today()
    {
        using var rig = new LoadRig("--seed", "23", "--orders", "1200", "--history-days", "10");
        var now = await rig.NowAsync();
        Assert.True(Run(rig, now, "backfill").GetProperty("backfill").GetBoolean());
        await rig.AssertTotalsMatchTruthAsync("after the backfill");

        var lastFacts = MaxFactsVersion(rig);
        foreach (var (ahead, round) in new[] { (TimeSpan.FromDays(3), 1), (TimeSpan.FromDays(1), 2), (TimeSpan.FromDays(2), 3) })
        {
            // A run on a clock ahead (the sandbox meanwhile sold, refunded and cancelled).
            now = await rig.AdvanceAsync(TimeSpan.FromMinutes(30));
            Run(rig, Shift(now, ahead), $"round {round}: the run on a clock {ahead} ahead");
            var aheadFacts = MaxFactsVersion(rig);
            Assert.True(aheadFacts > lastFacts, $"round {round}: facts version {aheadFacts} after {lastFacts}");

            // The clock is set right; the next runs must still win over what the run ahead wrote.
            for (var i = 0; i < 2; i++)
            {
                now = await rig.AdvanceAsync(i == 0 ? TimeSpan.FromHours(12) : TimeSpan.FromMinutes(45));
                var json = Run(rig, now, $"round {round}: run {i + 1} on the right clock");
                // The watermark the run ahead left is ahead of this clock: not trusted, so the first run back reloads.
                Assert.Equal(i == 0, json.GetProperty("backfill").GetBoolean());
                var facts = MaxFactsVersion(rig);
                Assert.True(facts > aheadFacts, $"round {round}, run {i + 1}: facts version {facts} is not above {aheadFacts}");
                aheadFacts = facts;
                await rig.AssertTotalsMatchTruthAsync($"in round {round} after run {i + 1} on the right clock");
            }
            lastFacts = aheadFacts;
        }

        // Staging versions are the source's: none above the sandbox's now, however far ahead a run's clock was.
        var sourceNow = (ulong)(DateTimeOffset.Parse(now, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds() * 1000);
        Assert.Equal(0, rig.Ch.Count($"SELECT count() FROM {rig.Db}.stg_qtickets_api_orders_raw WHERE _ver > {sourceNow}"));
        Assert.Equal(0, rig.Ch.Count($"SELECT count() FROM {rig.Db}.stg_qtickets_api_orders_raw WHERE _ver < 1000000000000000"));

        // Today corrupted: a paid order's staging row deleted, a fact row of today from a clock ten days ahead.
        var today = DateTimeOffset.Parse(now, CultureInfo.InvariantCulture).ToOffset(TimeSpan.FromHours(3)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var victim = rig.Ch.Admin($"SELECT order_id FROM {rig.Db}.stg_qtickets_api_orders_raw FINAL WHERE toDate(sale_ts) = '{today}' " +
                                  "AND tickets_sold > 0 ORDER BY order_id LIMIT 1");
        Assert.NotEqual("", victim);
        rig.Ch.Admin($"DELETE FROM {rig.Db}.stg_qtickets_api_orders_raw WHERE order_id = '{victim}'");
        var key = rig.Ch.Admin($"SELECT event_id, city FROM {rig.Db}.fact_qtickets_sales_daily FINAL WHERE sales_date = '{today}' AND tickets_sold > 0 " +
                               "ORDER BY event_id LIMIT 1").Split('\t');
        var tenDaysAhead = DateTimeOffset.Parse(now, CultureInfo.InvariantCulture).AddDays(10).ToUnixTimeSeconds();
        rig.Ch.Admin($"INSERT INTO {rig.Db}.fact_qtickets_sales_daily (sales_date, event_id, city, tickets_sold, revenue, _ver) " +
                     $"VALUES ('{today}', '{key[0]}', '{key[1]}', 9999, 1.23, {tenDaysAhead})");
        Assert.NotEqual(await rig.TruthAsync(), rig.FactsFinal());

        var compare = rig.Session.Run(
            $"Compare-QTicketsClickHouse -EnvFile '{rig.EnvFile}' -Now '{now}' -Days 1 -Repair -Summary -LockPath '{Path.Combine(rig.Dir, "repair.lock")}'");
        Assert.Null(compare.Terminating);
        Assert.Empty(compare.Errors);
        var summary = Assert.Single(compare.Output);
        Assert.Equal("repaired", summary.Properties["StatusText"].Value);
        var repaired = ((IEnumerable<DateOnly>)summary.Properties["RepairedDays"].Value).Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).ToList();
        Assert.Contains(today, repaired);
        Assert.Equal(1, rig.Ch.Count($"SELECT count() FROM {rig.Db}.stg_qtickets_api_orders_raw FINAL WHERE order_id = '{victim}'"));
        Assert.True(MaxFactsVersion(rig) > (ulong)tenDaysAhead, "the repair's facts must outrank the row from a clock ahead");
        await rig.AssertTotalsMatchTruthAsync("after the repair of today");

        // And the next scheduled run on the right clock keeps it so.
        now = await rig.AdvanceAsync(TimeSpan.FromMinutes(15));
        Run(rig, now, "the run after the repair");
        await rig.AssertTotalsMatchTruthAsync("after the run that followed the repair");
        output.WriteLine($"facts version at the end {MaxFactsVersion(rig)}");
    }
}
