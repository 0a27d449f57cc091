using System.Diagnostics;
using Xunit.Abstractions;

namespace QTickets.Module.Tests.Load;

/// <summary>
/// A day of the scheduled load: a backfill, then 96 runs with the sandbox clock 15 minutes further each time
/// (new orders, payments, refunds, cancellations), each run at the sandbox's now. Every 8th run is the script
/// in pwsh as cron starts it; the others run the same script in one in-process engine, which
/// keeps the day within the CI budget (96 process starts alone cost about a minute).
/// </summary>
[Collection("Load end-to-end")]
public sealed class SimulatedDayTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Ninety_six_runs_fifteen_minutes_apart_end_with_facts_and_staging_equal_to_the_truth()
    {
        var total = Stopwatch.StartNew();
        using var rig = new LoadRig("--seed", "11", "--orders", "2000", "--history-days", "20");

        var backfill = await rig.ScriptAsync();
        Assert.True(backfill.ExitCode == 0, backfill.ToString());
        var json = LoadRig.TwoLines(backfill.StdOut, 0);
        Assert.True(json.GetProperty("backfill").GetBoolean());
        await rig.AssertTotalsMatchTruthAsync("after the backfill");
        var before = rig.Totals(await rig.TruthAsync());

        var processRuns = 0;
        var changes = 0L;
        for (var i = 1; i <= 96; i++)
        {
            var now = await rig.AdvanceAsync(TimeSpan.FromMinutes(15));
            if (i % 8 == 0)
            {
                var r = await rig.ScriptAsync();
                Assert.True(r.ExitCode == 0, $"run {i} at {now}: {r}");
                var line = LoadRig.TwoLines(r.StdOut, 0);
                Assert.False(line.GetProperty("backfill").GetBoolean());
                changes += line.GetProperty("orders").GetInt64();
                processRuns++;
            }
            else
            {
                var (code, lines, _) = rig.InProcess(now);
                Assert.True(code == 0, $"run {i} at {now}: exit {code}\n{string.Join("\n", lines)}");
                Assert.Equal(2, lines.Count);
            }
            if (i == 48) await rig.AssertTotalsMatchTruthAsync("at midday (run 48)");
        }

        await rig.AssertTotalsMatchTruthAsync("after 96 runs");
        var after = rig.Totals(await rig.TruthAsync());
        Assert.Equal(97, rig.Runs("ok"));
        Assert.Equal(0, rig.Runs("error"));
        Assert.True(changes > 0, "the script runs saw no orders");
        // The day changed the figures (sales and refunds), and ClickHouse followed.
        Assert.NotEqual(before, after);
        rig.AssertNoSecretsOrPersonalData();
        output.WriteLine($"truth before {before}, after {after}; {processRuns} script processes; {total.Elapsed.TotalSeconds:0.0} s in all");
    }
}
