using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Text.Json;
using QTickets.Module.Tests.Harness;
using Xunit.Abstractions;

namespace QTickets.Module.Tests.Load;

/// <summary>
/// Every table and view of the schema dropped in turn after a load: the loader refuses to run (exit 6, naming the
/// table and Initialize-QTicketsClickHouse) with the watermark unmoved; Initialize recreates exactly that object and
/// says so (a warning, and its migration's Outcome) although its ledger says every migration is applied; the next
/// load ends with staging and facts equal to the sandbox's truth: facts for days without any are rebuilt, and a
/// dropped staging table (whose watermark claims orders that are gone) is reloaded like a first run.
/// </summary>
[Collection("Load end-to-end")]
public sealed class DroppedTableTests(ITestOutputHelper output)
{
    static readonly string[] s_loaderTables =
    {
        "stg_qtickets_api_orders_raw", "fact_qtickets_sales_daily", "fact_qtickets_sales_utm_daily", "dim_events",
        "stg_qtickets_api_inventory_raw", "fact_qtickets_inventory_latest", "meta_job_runs", "qtickets_loader_state",
        "qtickets_rejected_orders", "fact_qtickets_inventory",
    };

    static readonly string[] s_otherObjects =
    {
        "plan_sales", "mv_qtickets_sales_latest", "v_qtickets_sales_dashboard", "v_qtickets_inventory", "v_qtickets_sales_utm_daily",
        "v_qtickets_freshness", "v_sales_latest", "v_sales_14d", "v_plan_vs_fact",
    };

    RunResult Initialize(LoadRig rig, string extra = "") => rig.Session.Run(
        $"Initialize-QTicketsClickHouse -ClickHouseHost $h -ClickHousePort $p -Database $db -Credential $cred {extra}",
        new Hashtable
        {
            ["h"] = rig.Ch.Host, ["p"] = rig.Ch.Port, ["db"] = rig.Db,
            ["cred"] = new PSCredential(rig.Ch.AdminUser, Secure(rig.Ch.AdminPassword)),
        });

    static List<PSObject> Migrations(RunResult r) =>
        r.Output.Where(o => o.BaseObject.GetType().FullName == "QTickets.Core.Contracts.SchemaMigration").ToList();

    static bool Exists(LoadRig rig, string name) =>
        rig.Ch.Count($"SELECT count() FROM system.tables WHERE database = '{rig.Db}' AND name = '{name}'") == 1;

    const string LostFacts = "have orders in staging but their daily facts are missing or half-replaced";

    static JsonElement Load(LoadRig rig, string now, string what, bool factsLost = false)
    {
        var (code, lines, run) = rig.InProcess(now);
        Assert.True(code == 0, $"{what}: exit {code}\n{string.Join("\n", lines)}\n{run.AllText()}");
        // Days this run stages itself are no lost facts: the warning only when a facts table lost its rows.
        Assert.Equal(factsLost, run.Warnings.Any(w => w.Contains(LostFacts, StringComparison.Ordinal)));
        using var doc = JsonDocument.Parse(lines[1]);
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task Each_dropped_table_and_view_is_recreated_by_Initialize_and_refilled_by_the_next_load()
    {
        using var rig = new LoadRig("--seed", "31", "--orders", "900", "--history-days", "8");
        var now = await rig.NowAsync();
        Load(rig, now, "the backfill");
        await rig.AssertTotalsMatchTruthAsync("after the backfill");

        foreach (var table in s_loaderTables)
        {
            var watermark = rig.Watermark();
            rig.Ch.Admin($"DROP TABLE {rig.Db}.{table}");

            // The loader stops before reading anything, naming the table and the fix; the watermark stays.
            now = await rig.AdvanceAsync(TimeSpan.FromMinutes(30));
            var (code, lines, _) = rig.InProcess(now);
            Assert.True(code == 6, $"{table} dropped: exit {code}\n{string.Join("\n", lines)}");
            Assert.Contains(table, lines[0]);
            Assert.Contains("Initialize-QTicketsClickHouse", lines[0]);
            if (table != "qtickets_loader_state") Assert.Equal(watermark, rig.Watermark());

            if (table == s_loaderTables[0])
            {
                // -WhatIf names the missing table and its DDL, and creates nothing.
                var whatIf = Initialize(rig, "-WhatIf");
                Assert.Null(whatIf.Terminating);
                Assert.Contains(whatIf.HostLines, l => l.StartsWith("What if:", StringComparison.Ordinal) &&
                    l.Contains($"Recreate the missing table {rig.Db}.{table}", StringComparison.Ordinal));
                Assert.Contains(whatIf.HostLines, l => l.Contains($"CREATE TABLE IF NOT EXISTS {rig.Db}.{table}", StringComparison.Ordinal));
                Assert.False(Exists(rig, table));
            }

            var init = Initialize(rig);
            Assert.Null(init.Terminating);
            Assert.Empty(init.Errors);
            var warning = Assert.Single(init.Warnings);
            // Every loader table comes from migration 001 but the rejected orders' (005), the legacy inventory fact (006)
            // and orders staging, restated with its fsync settings by 007.
            var migration = table switch
            {
                "qtickets_rejected_orders" => 5, "fact_qtickets_inventory" => 6, "stg_qtickets_api_orders_raw" => 7, _ => 1,
            };
            Assert.Contains($"table {rig.Db}.{table} did not exist although migration {migration:D3} is recorded as applied: recreated", warning);
            Assert.Contains(Migrations(init), m => (int)m.Properties["Version"].Value == migration &&
                ((string)m.Properties["Outcome"].Value).EndsWith("recreated " + table, StringComparison.Ordinal));
            Assert.True(Exists(rig, table));
            if (table == "stg_qtickets_api_orders_raw")
                Assert.Contains("fsync_after_insert = 1, fsync_part_directory = 1",
                    rig.Ch.Admin($"SELECT create_table_query FROM system.tables WHERE database = '{rig.Db}' AND name = '{table}'"));
            // Nothing else was missing: a second Initialize has nothing to say.
            Assert.Empty(Initialize(rig).Warnings);

            var json = Load(rig, now, $"the load after {table} was recreated", factsLost: table.StartsWith("fact_qtickets_sales", StringComparison.Ordinal));
            // Staging or the watermark gone: the next load is a first run, whatever the watermark said.
            Assert.Equal(table is "stg_qtickets_api_orders_raw" or "qtickets_loader_state", json.GetProperty("backfill").GetBoolean());
            await rig.AssertTotalsMatchTruthAsync($"after {table} was dropped, recreated and loaded");
            // Every table holds rows again, but the rejected orders' one: this clean sandbox rejects none.
            if (table != "qtickets_rejected_orders")
                Assert.True(rig.Ch.Count($"SELECT count() FROM {rig.Db}.{table}") > 0, $"{table} is empty after the load");
            Assert.Equal(rig.Ch.Admin($"SELECT toString(sales_date), event_id, sum(tickets_sold) FROM {rig.Db}.fact_qtickets_sales_daily FINAL GROUP BY 1, 2 ORDER BY 1, 2"),
                         rig.Ch.Admin($"SELECT toString(sales_date), event_id, sum(tickets_sold) FROM {rig.Db}.fact_qtickets_sales_utm_daily FINAL GROUP BY 1, 2 ORDER BY 1, 2"));
            output.WriteLine($"{table}: dropped, recreated, refilled ({json.GetProperty("orders")} orders read)");
        }

        foreach (var obj in s_otherObjects)
        {
            var rows = rig.Ch.Admin($"SELECT count() FROM {rig.Db}.{obj}");
            rig.Ch.Admin($"DROP {(obj == "plan_sales" ? "TABLE" : "VIEW")} {rig.Db}.{obj}");
            var init = Initialize(rig);
            Assert.Null(init.Terminating);
            Assert.Empty(init.Errors);
            var kind = obj == "plan_sales" ? "table" : "view";
            Assert.Contains($"{kind} {rig.Db}.{obj} did not exist", Assert.Single(init.Warnings));
            Assert.True(Exists(rig, obj));
            // A view reads its tables again as before; the recreated plan table is empty, as it was.
            Assert.Equal(rows, rig.Ch.Admin($"SELECT count() FROM {rig.Db}.{obj}"));
        }

        // The ledger itself dropped: every migration runs again, and nothing is lost.
        rig.Ch.Admin($"DROP TABLE {rig.Db}.qtickets_schema_migrations");
        var again = Initialize(rig);
        Assert.Null(again.Terminating);
        Assert.Empty(again.Errors);
        Assert.Equal(Migrations(again).Count, rig.Ch.Count($"SELECT count() FROM {rig.Db}.qtickets_schema_migrations"));
        now = await rig.AdvanceAsync(TimeSpan.FromMinutes(30));
        Assert.False(Load(rig, now, "the load after the ledger was rebuilt").GetProperty("backfill").GetBoolean());
        await rig.AssertTotalsMatchTruthAsync("at the end");
        rig.AssertNoSecretsOrPersonalData();
    }

    [Fact]
    public async Task Staging_emptied_under_a_watermark_is_reloaded_even_when_the_first_reload_dies_and_the_next_asks_for_an_hour()
    {
        using var rig = new LoadRig("--seed", "37", "--orders", "600", "--history-days", "6");
        var now = await rig.NowAsync();
        Load(rig, now, "the backfill");
        var watermark = rig.Watermark();
        rig.Ch.Admin($"TRUNCATE TABLE {rig.Db}.stg_qtickets_api_orders_raw");

        // The reload dies after it saw the empty staging (the API is down): the watermark no longer claims the data.
        await rig.Sandbox.SetFaultsAsync("down");
        now = await rig.AdvanceAsync(TimeSpan.FromMinutes(15));
        var (code, lines, run) = rig.InProcess(now, extra: "-MaxAttempts 2");
        Assert.True(code == 5, $"exit {code}\n{string.Join("\n", lines)}");
        Assert.Contains(run.Warnings, w => w.Contains("holds no order, but the watermark says", StringComparison.Ordinal));
        Assert.NotEqual(watermark, rig.Watermark());
        Assert.Equal("", rig.Watermark());

        // Even a run told to load only the last hour loads the backfill: the watermark it writes claims all before it.
        await rig.Sandbox.ClearFaultsAsync();
        now = await rig.AdvanceAsync(TimeSpan.FromMinutes(15));
        var (reloadCode, reload, _) = rig.InProcess(now, extra: "-SinceHours 1");
        Assert.True(reloadCode == 0, string.Join("\n", reload));
        using (var json = JsonDocument.Parse(reload[1])) Assert.True(json.RootElement.GetProperty("backfill").GetBoolean());
        await rig.AssertTotalsMatchTruthAsync("after staging was emptied and reloaded");
        now = await rig.AdvanceAsync(TimeSpan.FromMinutes(15));
        Assert.False(Load(rig, now, "the next run").GetProperty("backfill").GetBoolean());
        await rig.AssertTotalsMatchTruthAsync("after the next run");
    }

    static System.Security.SecureString Secure(string s)
    {
        var secure = new System.Security.SecureString();
        foreach (var c in s) secure.AppendChar(c);
        return secure;
    }
}
