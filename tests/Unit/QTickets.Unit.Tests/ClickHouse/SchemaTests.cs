using QTickets.Engine.ClickHouse;
using QTickets.Core.Contracts;
using QTickets.Tests.Shared;

namespace QTickets.Unit.Tests.ClickHouse;

public sealed class SchemaTests : IClassFixture<TestClickHouse>
{
    readonly TestClickHouse _ch;

    public SchemaTests(TestClickHouse ch) => _ch = ch;

    [Fact]
    public void Migrations_apply_once_and_are_recorded()
    {
        using var store = StoreHelpers.Admin(_ch);
        var first = store.GetMigrationsAsync(SchemaOptions.Single, default).GetAwaiter().GetResult()
            .Select(m => store.ApplyMigrationAsync(m, SchemaOptions.Single, default).GetAwaiter().GetResult()).ToList();
        // A fresh database has no legacy rows: the rekey is recorded without running.
        Assert.Equal("nothing to migrate", first.Single(m => m.Name == "orders_rekey").Outcome);
        var second = store.GetMigrationsAsync(SchemaOptions.Single, default).GetAwaiter().GetResult();
        Assert.All(second, m => Assert.True(m.Applied, $"{m} should be recorded as applied"));
        StoreHelpers.Initialize(store); // safe every time: nothing runs again
        Assert.Equal(second.Count, _ch.Count($"SELECT count() FROM {_ch.Database}.qtickets_schema_migrations"));
        foreach (var table in new[] { "stg_qtickets_api_orders_raw", "stg_qtickets_api_inventory_raw", "dim_events", "fact_qtickets_sales_daily",
                     "fact_qtickets_sales_utm_daily", "fact_qtickets_inventory_latest", "meta_job_runs", "plan_sales", "qtickets_loader_state",
                     "qtickets_rejected_orders", "v_qtickets_sales_dashboard", "v_qtickets_inventory", "v_qtickets_sales_utm_daily", "mv_qtickets_sales_latest" })
            Assert.Equal(1, _ch.Count($"SELECT count() FROM system.tables WHERE database = '{_ch.Database}' AND name = '{table}'"));
        Assert.Equal("View", _ch.Admin($"SELECT engine FROM system.tables WHERE database = '{_ch.Database}' AND name = 'mv_qtickets_sales_latest'"));
        Assert.Equal("Decimal(18, 2)", _ch.Admin($"SELECT type FROM system.columns WHERE database = '{_ch.Database}' AND table = 'stg_qtickets_api_orders_raw' AND name = 'revenue'"));
        Assert.Equal("Float64", _ch.Admin($"SELECT type FROM system.columns WHERE database = '{_ch.Database}' AND table = 'fact_qtickets_sales_daily' AND name = 'revenue'"));
        foreach (var table in Schema.WriterTables.Append("qtickets_rejected_orders"))
            Assert.Contains("non_replicated_deduplication_window = 1000",
                _ch.Admin($"SELECT create_table_query FROM system.tables WHERE database = '{_ch.Database}' AND name = '{table}'"));
        // Only orders staging syncs its inserts to disk (what the webhook receiver's 200 promises); the rest stay as they were.
        foreach (var table in Schema.WriterTables)
        {
            var ddl = _ch.Admin($"SELECT create_table_query FROM system.tables WHERE database = '{_ch.Database}' AND name = '{table}'");
            if (table == "stg_qtickets_api_orders_raw") Assert.Contains("fsync_after_insert = 1, fsync_part_directory = 1", ddl);
            else Assert.DoesNotContain("fsync_", ddl);
        }
        // Every view is selectable as the schema stands.
        foreach (var view in new[] { "v_qtickets_sales_dashboard", "v_qtickets_inventory", "v_qtickets_sales_utm_daily", "mv_qtickets_sales_latest" })
            _ch.Admin($"SELECT * FROM {_ch.Database}.{view} LIMIT 1");
    }

    [Fact]
    public void Objects_are_every_table_and_view_the_migrations_leave_each_with_its_last_create()
    {
        var objects = Schema.Objects(Schema.Migrations("zakaz", SchemaOptions.Single));
        Assert.Equal(new[]
        {
            "qtickets_schema_migrations", "stg_qtickets_api_orders_raw", "stg_qtickets_api_inventory_raw", "dim_events",
            "fact_qtickets_sales_daily", "fact_qtickets_sales_utm_daily", "fact_qtickets_inventory_latest", "meta_job_runs", "plan_sales",
            "qtickets_loader_state", "mv_qtickets_sales_latest", "v_qtickets_inventory", "v_qtickets_sales_utm_daily", "qtickets_rejected_orders",
            "stg_qtickets_api_clients_raw", "stg_qtickets_api_price_shades_raw", "stg_qtickets_api_discounts_raw", "stg_qtickets_api_promo_codes_raw",
            "stg_qtickets_api_barcodes_raw", "stg_qtickets_api_partner_tickets_raw", "fact_qtickets_inventory",
            "v_qtickets_sales_dashboard", "v_qtickets_freshness", "v_sales_latest", "v_sales_14d", "v_plan_vs_fact",
        }, objects.Select(o => o.Name).ToArray());
        // Migration 6's copies of the inventory tables are swapped in and dropped: no object to recreate.
        Assert.DoesNotContain(objects, o => o.Name.EndsWith("_v6", StringComparison.Ordinal));
        // The rekey's scratch table is renamed away, and its backup is no object to recreate.
        Assert.DoesNotContain(objects, o => o.Name.EndsWith("_rekeyed", StringComparison.Ordinal) || o.Name.EndsWith("_legacy_v3", StringComparison.Ordinal));
        Assert.All(objects.Where(o => o.Name.StartsWith("v_", StringComparison.Ordinal) || o.Name.StartsWith("mv_", StringComparison.Ordinal)),
            o => Assert.Equal(("view", o.Name is "mv_qtickets_sales_latest" or "v_qtickets_inventory" or "v_qtickets_sales_utm_daily" ? 4 : 6), (o.Kind, o.Migration)));
        var staging = objects.Single(o => o.Name == "stg_qtickets_api_orders_raw");
        // Migration 7 restates staging with its fsync settings, so a dropped staging table comes back durable, and in
        // its first place, before the views that read it.
        Assert.Equal(("table", 7), (staging.Kind, staging.Migration));
        Assert.StartsWith("CREATE TABLE IF NOT EXISTS zakaz.stg_qtickets_api_orders_raw (", staging.Statement);
        Assert.Contains("non_replicated_deduplication_window = 1000", staging.Statement);
        Assert.Contains("fsync_after_insert = 1, fsync_part_directory = 1", staging.Statement);
        Assert.Equal(1, objects.Select(o => o.Name).ToList().IndexOf("stg_qtickets_api_orders_raw"));
        // Only what the given migrations create: before migration 4 there is no view.
        Assert.DoesNotContain(Schema.Objects(Schema.Migrations("zakaz", SchemaOptions.Single).Where(m => m.Version < 4)), o => o.Kind == "view");
    }

    [Fact]
    public void Cluster_ddl_uses_on_cluster_and_replicated_engines()
    {
        var options = new SchemaOptions { Cluster = "analytics" };
        var statements = Schema.Migrations("zakaz", options).SelectMany(m => m.Statements).ToList();
        Assert.All(statements.Where(s => s.StartsWith("CREATE", StringComparison.Ordinal) || s.StartsWith("DROP", StringComparison.Ordinal)
                                          || s.StartsWith("EXCHANGE", StringComparison.Ordinal)),
            s => Assert.Contains("ON CLUSTER `analytics`", s));
        var stagings = statements.Where(s => s.StartsWith("CREATE TABLE IF NOT EXISTS zakaz.stg_qtickets_api_orders_raw ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, stagings.Count); // migration 1's and migration 7's, with the fsync settings
        Assert.Contains("fsync_after_insert = 1", stagings[1]);
        Assert.Contains(statements, s => s == "ALTER TABLE zakaz.stg_qtickets_api_orders_raw ON CLUSTER `analytics` MODIFY SETTING fsync_after_insert = 1, fsync_part_directory = 1");
        var staging = stagings[0];
        Assert.Contains("ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', _ver)", staging);
        Assert.DoesNotContain("non_replicated_deduplication_window", string.Join("\n", statements));
        Assert.Contains(statements, s => s.Contains("ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')", StringComparison.Ordinal));
    }
}

/// <summary>Its own database (the class fixture): the migrations test above needs a fresh one.</summary>
public sealed class MissingSchemaObjectsTests : IClassFixture<TestClickHouse>
{
    readonly TestClickHouse _ch;

    public MissingSchemaObjectsTests(TestClickHouse ch) => _ch = ch;

    [Fact]
    public void Missing_objects_are_those_of_applied_migrations_that_do_not_exist()
    {
        using var store = StoreHelpers.Admin(_ch);
        StoreHelpers.Initialize(store);
        var applied = store.GetMigrationsAsync(SchemaOptions.Single, default).GetAwaiter().GetResult();
        Assert.Empty(store.GetMissingObjectsAsync(applied, default).GetAwaiter().GetResult());
        _ch.Admin($"DROP VIEW {_ch.Database}.v_qtickets_inventory");
        _ch.Admin($"DROP TABLE {_ch.Database}.plan_sales");
        var missing = store.GetMissingObjectsAsync(applied, default).GetAwaiter().GetResult();
        Assert.Equal(new[] { "plan_sales", "v_qtickets_inventory" }, missing.Select(o => o.Name).ToArray());
        foreach (var o in missing) store.ExecuteAsync(o.Statement, default).GetAwaiter().GetResult();
        Assert.Empty(store.GetMissingObjectsAsync(applied, default).GetAwaiter().GetResult());
    }
}
