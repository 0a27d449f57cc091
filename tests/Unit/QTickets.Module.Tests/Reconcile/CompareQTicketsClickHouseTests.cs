using System.Management.Automation;
using System.Text.Json;
using QTickets.Module.Tests.Harness;

namespace QTickets.Module.Tests.Reconcile;

/// <summary>
/// Compare-QTicketsClickHouse in the real engine, against the sandbox and the real ClickHouse: a clean load has no
/// drift; a row deleted from staging and a wrong revenue in the daily facts are found, -WhatIf lists the days and
/// changes nothing, -Repair reloads exactly those days, and the comparison after it is clean.
/// </summary>
public sealed class CompareQTicketsClickHouseTests : IClassFixture<ReconcileWorld>, IDisposable
{
    readonly ReconcileWorld _w;
    readonly PowerShellSession _ps = new();

    public CompareQTicketsClickHouseTests(ReconcileWorld world) => _w = world;

    public void Dispose() => _ps.Dispose();

    // The 7 whole days before the sandbox's now: 2026-11-13 .. 2026-11-19.
    string Compare(string extra = "") =>
        $"Compare-QTicketsClickHouse -EnvFile '{_w.EnvFile}' -Now '{ReconcileWorld.Now}' -Days 7 -LockPath '{Path.Combine(_w.Dir, "load.lock")}' {extra}";

    static PSObject Summary(RunResult r)
    {
        Assert.Null(r.Terminating);
        Assert.Empty(r.Errors);
        var o = Assert.Single(r.Output);
        Assert.Equal("QTickets.Core.Reconcile.ReconcileSummary", o.BaseObject.GetType().FullName);
        return o;
    }

    static T Prop<T>(PSObject o, string name) => (T)o.Properties[name].Value;

    static int Code(PSObject o) => Convert.ToInt32(o.Properties["ExitCode"].Value, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>max(_ver) per day of a table's FINAL rows, for days in the range.</summary>
    Dictionary<string, string> Versions(string table, string dayExpr) => _w.ClickHouse
        .Admin($"SELECT toString({dayExpr}) AS d, max(_ver) FROM {_w.Db}.{table} FINAL WHERE {dayExpr} BETWEEN '2026-11-13' AND '2026-11-19' GROUP BY d ORDER BY d")
        .Split('\n').Select(l => l.Split('\t')).ToDictionary(p => p[0], p => p[1]);

    long ReconcileRuns(string status) =>
        _w.ClickHouse.Count($"SELECT count() FROM {_w.Db}.meta_job_runs WHERE job = 'qtickets_api_reconcile' AND status = '{status}'");

    [Fact]
    public void Clean_load_matches_then_a_corrupted_staging_day_and_facts_day_are_found_and_exactly_they_are_repaired()
    {
        // 1. Clean: every day-event row matches, and agrees with the sandbox's own truth.
        var clean = _ps.Run(Compare());
        Assert.Null(clean.Terminating);
        Assert.Empty(clean.Errors);
        var rows = clean.Output.Select(o => o.Properties).ToList();
        Assert.True(rows.Count > 20, $"only {rows.Count} rows");
        Assert.All(rows, r => Assert.False((bool)r["differs"].Value));
        var truth = _w.Server.TruthAsync("from=2026-11-13&to=2026-11-19").GetAwaiter().GetResult().GetProperty("totals");
        Assert.Equal(truth.GetProperty("paid_orders").GetInt64(), rows.Sum(r => (long)r["api_orders"].Value));
        Assert.Equal(truth.GetProperty("tickets").GetInt64(), rows.Sum(r => (long)r["staging_tickets"].Value));
        Assert.Equal(truth.GetProperty("revenue").GetDecimal(), rows.Sum(r => (decimal)r["facts_revenue"].Value));
        Assert.Equal(1, ReconcileRuns("ok"));

        // 2. Corrupt two days: a paid order's row deleted from staging on the 16th, a wrong revenue in the facts of the 18th.
        var victim = _w.ClickHouse.Admin(
            $"SELECT order_id FROM {_w.Db}.stg_qtickets_api_orders_raw FINAL WHERE toDate(sale_ts) = '2026-11-16' AND tickets_sold > 0 ORDER BY order_id LIMIT 1");
        _w.ClickHouse.Admin($"DELETE FROM {_w.Db}.stg_qtickets_api_orders_raw WHERE order_id = '{victim}'");
        var fact = _w.ClickHouse.Admin(
            $"SELECT event_id, city, tickets_sold, _ver FROM {_w.Db}.fact_qtickets_sales_daily FINAL WHERE sales_date = '2026-11-18' AND revenue > 0 ORDER BY event_id LIMIT 1")
            .Split('\t');
        _w.ClickHouse.Admin($"INSERT INTO {_w.Db}.fact_qtickets_sales_daily (sales_date, event_id, city, tickets_sold, revenue, _ver) " +
                            $"VALUES ('2026-11-18', '{fact[0]}', '{fact[1]}', {fact[2]}, 1.23, {ulong.Parse(fact[3]) + 1})");
        var stagingBefore = Versions("stg_qtickets_api_orders_raw", "toDate(sale_ts)");
        var factsBefore = Versions("fact_qtickets_sales_daily", "sales_date");

        var drift = Summary(_ps.Run(Compare("-Summary")));
        Assert.Equal("drift", Prop<string>(drift, "StatusText"));
        Assert.Equal(7, Code(drift));
        Assert.Equal(new[] { new DateOnly(2026, 11, 16), new DateOnly(2026, 11, 18) }, Prop<IReadOnlyList<DateOnly>>(drift, "DifferingDays"));
        var differing = Prop<System.Collections.IEnumerable>(drift, "Rows").Cast<object>().Select(PSObject.AsPSObject)
            .Where(r => Prop<bool>(r, "differs")).ToList();
        Assert.Equal(2, differing.Count);
        Assert.True(Prop<bool>(differing[0], "staging_differs") && !Prop<bool>(differing[0], "facts_differs"));
        Assert.Equal(-1L, Prop<long>(differing[0], "staging_orders_diff"));
        Assert.True(Prop<bool>(differing[1], "facts_differs") && !Prop<bool>(differing[1], "staging_differs"));
        Assert.Equal(fact[0], Prop<string>(differing[1], "event_id"));
        Assert.Equal(1, ReconcileRuns("error"));

        // 3. -WhatIf: names the two days, reloads nothing, records nothing.
        var whatIf = _ps.Run(Compare("-Repair -WhatIf"));
        Assert.Null(whatIf.Terminating);
        Assert.Contains(whatIf.HostLines, l => l.StartsWith("What if:", StringComparison.Ordinal) && l.Contains("Reload 2 sale day(s)") && l.Contains("2026-11-16, 2026-11-18"));
        Assert.Equal(stagingBefore, Versions("stg_qtickets_api_orders_raw", "toDate(sale_ts)"));
        Assert.Equal(factsBefore, Versions("fact_qtickets_sales_daily", "sales_date"));
        Assert.Equal(1, ReconcileRuns("error"));

        // 4. -Repair: exactly those two days are reloaded: their staging rows and facts get new versions (a new
        // reading of an order is versioned above every staged one), every other day keeps its versions.
        var repaired = Summary(_ps.Run(Compare("-Repair -Summary")));
        Assert.Equal("repaired", Prop<string>(repaired, "StatusText"));
        Assert.Equal(0, Code(repaired));
        Assert.Equal(new[] { new DateOnly(2026, 11, 16), new DateOnly(2026, 11, 18) }, Prop<IReadOnlyList<DateOnly>>(repaired, "RepairedDays"));
        Assert.Equal(0, Prop<int>(repaired, "DaysDiffering"));
        var stagingAfter = Versions("stg_qtickets_api_orders_raw", "toDate(sale_ts)");
        var factsAfter = Versions("fact_qtickets_sales_daily", "sales_date");
        foreach (var day in stagingBefore.Keys)
        {
            var reloaded = day is "2026-11-16" or "2026-11-18";
            Assert.Equal(!reloaded, stagingBefore[day] == stagingAfter[day]);
            Assert.Equal(!reloaded, factsBefore[day] == factsAfter[day]);
        }
        Assert.True(ulong.Parse(factsAfter["2026-11-18"]) > ulong.Parse(fact[3]) + 1, "the repair's version must be above the corrupt row's");
        Assert.Equal(1, _w.ClickHouse.Count($"SELECT count() FROM {_w.Db}.stg_qtickets_api_orders_raw FINAL WHERE order_id = '{victim}'"));
        // The repair's own row, by its run id: finished_at has whole seconds, and on a fast machine the clean, drift and
        // repaired runs of this test can all finish within one second, so "the latest" is not well defined.
        var run = _w.ClickHouse.Admin($"SELECT metrics FROM {_w.Db}.meta_job_runs WHERE job = 'qtickets_api_reconcile' AND run_id = '{Prop<Guid>(repaired, "RunId")}'");
        using (var metrics = JsonDocument.Parse(run))
        {
            Assert.Equal(2, metrics.RootElement.GetProperty("repaired_days").GetArrayLength());
            Assert.Equal(2, metrics.RootElement.GetProperty("drift").GetArrayLength());
        }

        // 5. And the next comparison is clean, with the rows' default view and no warning.
        // (Out-String is not in the hosted engine: Out-Default renders through the recording host.)
        var after = _ps.Run(Compare() + " | Out-Default");
        Assert.Null(after.Terminating);
        Assert.Empty(after.Errors);
        Assert.Empty(after.Warnings);
        var lines = after.HostLines.Select(l => System.Text.RegularExpressions.Regex.Replace(l, @"\x1b\[[0-9;]*m", "")).ToList();
        Assert.Contains(lines, l => l.TrimStart().StartsWith("sales_date event_id api_tix", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.True(l.TrimEnd().Length <= 120, l));
        Assert.DoesNotContain(lines, l => l.Contains("True", StringComparison.Ordinal));
    }

    [Fact]
    public void Event_filter_and_one_day_range_and_a_bad_range()
    {
        var one = _ps.Run($"Compare-QTicketsClickHouse -EnvFile '{_w.EnvFile}' -From 2026-11-15 -EventId 1, 2 -Summary -WhatIf");
        var s = Summary(one);
        Assert.Equal(1, Prop<int>(s, "DaysCompared"));
        Assert.Equal(0, Prop<int>(s, "RowsCompared"));
        var bad = _ps.Run($"Compare-QTicketsClickHouse -EnvFile '{_w.EnvFile}' -From 2026-11-15 -To 2026-11-14");
        Assert.Empty(bad.Output);
        Assert.Contains(bad.Errors, e => e.FullyQualifiedErrorId.StartsWith("QTickets.Reconcile.BadRange", StringComparison.Ordinal)
                                         && e.ToString().Contains("before -From", StringComparison.Ordinal));
    }
}
