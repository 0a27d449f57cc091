using System.Globalization;
using System.Text.RegularExpressions;
using QTickets.Tests.Shared;

namespace QTickets.Module.Tests.Load;

/// <summary>
/// The database this module loads is a drop-in for the legacy one: its smoke checks and the dashboards' dataset
/// queries run unchanged (tests/fixtures/legacy) and their totals equal the sandbox's truth; a legacy loader still
/// writing is caught, reported and repaired.
/// </summary>
[Collection("Load end-to-end")]
public sealed class LegacyDropInTests
{
    /// <summary>The ClickHouse server's now in Moscow, so the legacy's today() and the sandbox's sale days meet.</summary>
    static string ServerNowMoscow()
    {
        using var ch = new TestClickHouse();
        return ch.Admin("SELECT formatDateTime(now('Europe/Moscow'), '%Y-%m-%dT%H:%i:%S+03:00')");
    }

    /// <summary>Float sums read exact to the cent (through their shortest text form, as the facts are computed).</summary>
    static decimal Dec(string s) => decimal.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);

    /// <summary>The truth's (tickets, revenue) over sale days from <paramref name="from"/> to <paramref name="to"/> (yyyy-MM-dd).</summary>
    static (long Tickets, decimal Revenue) TruthBetween(SortedDictionary<string, LoadRig.Cell> truth, string from, string to)
    {
        var cells = truth.Where(c => string.CompareOrdinal(c.Key[..10], from) >= 0 && string.CompareOrdinal(c.Key[..10], to) <= 0).ToList();
        return (cells.Sum(c => c.Value.Tickets), cells.Sum(c => c.Value.Revenue));
    }

    /// <summary>
    /// A DataLens dataset's query as DataLens sends it for the default view: its fields from its source under its
    /// default filter, summed where the field's default aggregation is SUM.
    /// </summary>
    static string DatasetQuery(string yamlFile, string db)
    {
        var yaml = File.ReadAllText(Path.Combine(Fixtures.Dir, "legacy", "datasets", yamlFile));
        var source = Regex.Match(yaml, @"^source: (\S+)", RegexOptions.Multiline).Groups[1].Value.Replace("zakaz.", db + ".", StringComparison.Ordinal);
        var fieldsBlock = Regex.Match(yaml, @"^fields:\n(.*?)^(?:calculated_fields|default_filters):", RegexOptions.Multiline | RegexOptions.Singleline).Groups[1].Value;
        var fields = Regex.Matches(fieldsBlock, @"^  - name: (\w+)", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
        var filter = Regex.Match(yaml, @"- field: (\w+)\s+operator: between\s+value: ""([^,]+), ([^""]+)""");
        return $"SELECT {string.Join(", ", fields)} FROM {source} WHERE {filter.Groups[1].Value} BETWEEN {filter.Groups[2].Value} AND {filter.Groups[3].Value}";
    }

    [Fact]
    public async Task The_legacy_smoke_checks_and_dataset_queries_run_unchanged_and_their_totals_equal_the_truth()
    {
        using var rig = new LoadRig("--seed", "5", "--orders", "900", "--history-days", "25", "--now", ServerNowMoscow());
        Assert.True((await rig.ScriptAsync()).ExitCode == 0);
        await rig.AdvanceAsync(TimeSpan.FromMinutes(45));
        var second = await rig.ScriptAsync();
        Assert.True(second.ExitCode == 0, second.ToString());
        await rig.AssertTotalsMatchTruthAsync("after two runs");

        var ch = rig.Ch;
        var db = rig.Db;
        var truth = await rig.TruthAsync();
        var today = ch.Admin("SELECT toString(today())");
        string Days(int back) => ch.Admin($"SELECT toString(today() - {back})");

        var smoke = LegacySql.Statements(LegacySql.SmokeChecks, db).Select(s => ch.Admin(s)).ToList();
        Assert.Equal(17, smoke.Count);
        Assert.All(smoke.Take(7), r => Assert.EndsWith("\t1", r));
        Assert.Equal("0", smoke[7]);   // negative revenue
        Assert.Equal("0", smoke[8]);   // negative inventory
        // Fact rows of the last 7 days: a plain count equals the keys (one row each right after a run).
        Assert.Equal(ch.Admin($"SELECT count() FROM {db}.fact_qtickets_sales_daily FINAL WHERE sales_date >= today() - INTERVAL 7 DAY"),
            smoke[10].Split('\t')[2]);
        Assert.Equal(ch.Admin($"SELECT count() FROM {db}.fact_qtickets_inventory_latest FINAL WHERE snapshot_ts >= now() - INTERVAL 48 HOUR"),
            smoke[11].Split('\t')[2]);
        Assert.Equal("qtickets_api\tok", string.Join("\t", smoke[13].Split('\t').Take(2)));
        Assert.EndsWith("\t2", smoke[13]);
        // The dashboard view's today and the plan/fact check's 30 days against the truth.
        var dashboard = smoke[14].Split('\t');
        var (todayTickets, todayRevenue) = TruthBetween(truth, today, today);
        Assert.True(todayTickets > 0, "the sandbox sold nothing today; the check would prove nothing");
        Assert.Equal(todayRevenue, Math.Round(Dec(dashboard[1]), 2));
        Assert.Equal(todayTickets.ToString(CultureInfo.InvariantCulture), dashboard[2]);
        Assert.Equal(TruthBetween(truth, Days(30), "9999").Revenue, Math.Round(Dec(smoke[16].Split('\t')[2]), 2));

        // The dashboard view: one row per event of dim_events (also without recent sales), 14 days of sales.
        Assert.Equal(ch.Admin($"SELECT uniqExact(event_id) FROM {db}.dim_events"), ch.Admin($"SELECT count() FROM {db}.v_qtickets_sales_dashboard"));
        var (t14, r14) = TruthBetween(truth, Days(14), "9999");
        Assert.Equal($"{t14}\t{r14:0.00}", ch.Admin($"SELECT sum(tickets_sold_14d), toDecimal64(toString(round(sum(revenue_14d), 2)), 2) FROM {db}.v_qtickets_sales_dashboard"));
        // The freshness view names the newest sale day.
        Assert.Equal(truth.Keys.Max()![..10], ch.Admin($"SELECT toString(latest_date) FROM {db}.v_qtickets_freshness WHERE table_name = 'sales'"));

        // The dashboards' datasets over this module's views, as DataLens queries them.
        var (t30, r30) = TruthBetween(truth, Days(30), today);
        var utm = DatasetQuery("ds_sales_utm_daily.yaml", db);
        Assert.Equal($"{t30}\t{r30:0.00}", ch.Admin($"SELECT sum(tickets_sold), toDecimal64(toString(round(sum(revenue), 2)), 2) FROM ({utm})"));
        var plan = DatasetQuery("ds_plan_vs_fact.yaml", db);
        Assert.Equal($"{t30}\t{r30:0.00}\t0", ch.Admin($"SELECT sum(fact_tickets), toDecimal64(toString(round(sum(fact_revenue), 2)), 2), sum(plan_revenue) FROM ({plan})"));
    }

    [Fact]
    public async Task A_legacy_loader_still_writing_fails_the_next_run_naming_the_fix_and_its_rows_are_repaired()
    {
        using var rig = new LoadRig("--seed", "9", "--orders", "700", "--history-days", "10");
        Assert.True((await rig.ScriptAsync()).ExitCode == 0);
        var ch = rig.Ch;
        var db = rig.Db;

        // The legacy loader's run over the newest sale day: its keys (md5 of order::event::time::revenue) and its
        // empty city in staging, its partial-window fact row, its dict city in dim_events and the inventory.
        var day = ch.Admin($"SELECT toString(max(toDate(sale_ts))) FROM {db}.stg_qtickets_api_orders_raw FINAL WHERE tickets_sold > 0");
        ch.Admin($"INSERT INTO {db}.stg_qtickets_api_orders_raw (order_id, event_id, city, sale_ts, tickets_sold, revenue, currency, _ver, _dedup_key) " +
                 $"SELECT order_id, event_id, '', sale_ts, tickets_sold, revenue, currency, 1764000000, " +
                 $"lower(hex(MD5(concat(order_id, '::', event_id, '::', toString(sale_ts), '::', toString(toFloat64(revenue)))))) " +
                 $"FROM {db}.stg_qtickets_api_orders_raw FINAL WHERE toDate(sale_ts) = '{day}' AND tickets_sold > 0");
        ch.Admin($"INSERT INTO {db}.fact_qtickets_sales_daily SELECT sales_date, event_id, '', 1, 100, 1764000000 FROM {db}.fact_qtickets_sales_daily " +
                 $"WHERE sales_date = '{day}' LIMIT 1");
        var eventId = ch.Admin($"SELECT any(event_id) FROM {db}.dim_events");
        ch.Admin($"INSERT INTO {db}.dim_events (event_id, event_name, city, _ver) VALUES ('{eventId}', 'x', '{{\\'id\\': 1, \\'name\\': \\'томск\\'}}', 1764000000)");
        ch.Admin($"INSERT INTO {db}.fact_qtickets_inventory_latest (snapshot_ts, event_id, event_name, city, tickets_total, tickets_left, _ver) " +
                 $"VALUES (now(), '{eventId}', 'x', '{{\\'id\\': 1, \\'name\\': \\'томск\\'}}', 2966, NULL, 1764000000)");
        var truth = await rig.TruthAsync();
        Assert.NotEqual(truth, rig.FactsPlain());

        await rig.AdvanceAsync(TimeSpan.FromMinutes(15));
        var caught = await rig.ScriptAsync();
        Assert.True(caught.ExitCode == 10, caught.ToString());
        var human = caught.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0];
        Assert.Contains("legacy Python loader is still writing", human);
        Assert.Contains("stop its timer (systemctl disable --now qtickets_api.timer", human);
        Assert.Equal(1, ch.Count($"SELECT count() FROM {db}.meta_job_runs WHERE status = 'error'"));
        // Repaired by that same run: facts (plain and FINAL) and staging equal the truth, the legacy rows are gone.
        await rig.AssertTotalsMatchTruthAsync("after the run that caught the legacy loader");
        Assert.Equal(0, ch.Count($"SELECT count() FROM {db}.dim_events WHERE startsWith(city, '{{')"));
        Assert.Equal(0, ch.Count($"SELECT count() FROM {db}.fact_qtickets_inventory_latest WHERE startsWith(city, '{{')"));
        Assert.Equal(ch.Count($"SELECT uniqExact(event_id, city) FROM {db}.fact_qtickets_inventory_latest"),
            ch.Count($"SELECT count() FROM {db}.fact_qtickets_inventory_latest"));

        // Its timer stopped: the next run is ok again.
        await rig.AdvanceAsync(TimeSpan.FromMinutes(15));
        var after = await rig.ScriptAsync();
        Assert.True(after.ExitCode == 0, after.ToString());
        await rig.AssertTotalsMatchTruthAsync("after the legacy loader stopped");
    }
}
