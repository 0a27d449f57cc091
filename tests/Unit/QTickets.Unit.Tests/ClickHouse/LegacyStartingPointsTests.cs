using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using QTickets.Core.Contracts;
using QTickets.Engine.ClickHouse;
using QTickets.Tests.Shared;

namespace QTickets.Unit.Tests.ClickHouse;

/// <summary>
/// Every database the legacy repository's DDL can produce (its bootstrap alone, or followed by its migration files,
/// with and without the promo hotfix), built from that DDL (tests/fixtures/legacy), holding rows the legacy loader
/// wrote, then Initialize: each ends in the schema of a database Initialize created from nothing.
/// </summary>
public sealed class LegacyStartingPointsTests
{
    public static TheoryData<string> StartingPoints => new()
    {
        "bootstrap", "bootstrap+api", "bootstrap+api+hotfix", "bootstrap+utm", "bootstrap+utm+hotfix",
        "bootstrap+final", "bootstrap+final+hotfix", "bootstrap+api+utm+hotfix+final",
    };

    static string[] Files(string point) => point.Split('+').Select(p => p switch
    {
        "bootstrap" => LegacySql.Bootstrap,
        "api" => LegacySql.Api,
        "utm" => LegacySql.UtmPlan,
        "hotfix" => LegacySql.PromoHotfix,
        "final" => LegacySql.Final,
        _ => throw new ArgumentException(p),
    }).ToArray();

    /// <summary>What ClickHouse 26.7 refuses in the legacy files (tests/fixtures/legacy/README.md says why).</summary>
    static readonly Regex s_knownRefusals = new(
        @"^(bootstrap_schema\.sql: CREATE TABLE IF NOT EXISTS (stg_qtickets_sheets_inventory|fact_qtickets_inventory) \(code 36\)" +
        @"|bootstrap_schema\.sql: CREATE OR REPLACE VIEW (v_qtickets_inventory|v_qtickets_freshness) \(code 60\)" +
        @"|bootstrap_schema\.sql: ALTER TABLE stg_qtickets_sheets_(events|inventory|sales) \(code (43|60)\)" +
        @"|[\w.-]+\.sql: CREATE OR REPLACE VIEW (v_marketing_costs_daily|v_romi_daily) \(code (47|60)\)" +
        @"|2025-qtickets-api-promo-hotfix\.sql: ALTER TABLE( IF EXISTS)? stg_qtickets_api_promo_codes_raw \(code (60|62)\))$");

    static string Md5(string s) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(s)));

    /// <summary>The legacy's city: the event's city object as a lower-cased Python dict, as a SQL literal's inside.</summary>
    const string DictCity = @"{\'id\': 24, \'name\': \'томск\', \'timezone\': \'asia/krasnoyarsk\'}";

    /// <summary>Rows as the legacy loader wrote them, in the columns every starting point has.</summary>
    static void SeedLegacyRows(TestClickHouse ch)
    {
        var db = ch.Database;
        // Order 4360 twice (its revenue changed between two runs, so two legacy keys), 4361 once.
        ch.Admin($"INSERT INTO {db}.stg_qtickets_api_orders_raw (order_id, event_id, city, sale_ts, tickets_sold, revenue, currency, _ver, _dedup_key) VALUES " +
                 $"('4360', '31038', '', '2025-11-03 12:50:52', 1, 800, 'RUB', 1762000000, '{Md5("4360::31038::2025-11-03 12:50:52::800.0")}'), " +
                 $"('4360', '31038', '', '2025-11-03 12:50:52', 2, 1056, 'RUB', 1762001800, '{Md5("4360::31038::2025-11-03 12:50:52::1056.0")}'), " +
                 $"('4361', '31038', '', '2025-11-03 13:00:00', 1, 500, 'RUB', 1762000000, '{Md5("4361::31038::2025-11-03 13:00:00::500.0")}')");
        ch.Admin($"INSERT INTO {db}.fact_qtickets_sales_daily VALUES ('2025-11-03', '31038', '', 2, 1056, 1762001800)");
        ch.Admin($"INSERT INTO {db}.fact_qtickets_inventory_latest (snapshot_ts, event_id, event_name, city, tickets_total, tickets_left, _ver) VALUES " +
                 $"('2025-11-03 18:57:11', '31038', 'Concert', '{DictCity}', 2966, 500, 1762000000)");
        ch.Admin($"INSERT INTO {db}.stg_qtickets_api_inventory_raw (snapshot_ts, event_id, event_name, city, tickets_total, tickets_left, _ver, _dedup_key) VALUES " +
                 $"('2025-11-03 18:57:11', '31038', 'Concert', '{DictCity}', 2966, 500, 1762000000, '{Md5("31038::2025-11-03 18:57:11.123456")}')");
        ch.Admin($"INSERT INTO {db}.dim_events (event_id, event_name, city, _ver) VALUES ('31038', 'Concert', '{DictCity}', 1762000000)");
        if (ch.Count($"SELECT count() FROM system.tables WHERE database = '{db}' AND name = '{KnownTables.Clients}'") > 0)
            ch.Admin($"INSERT INTO {db}.{KnownTables.Clients} (client_id, email, phone, first_name, last_name, middle_name, payload_json, _ver, _ingest_ts) " +
                     "VALUES ('700001', 'buyer1@example.test', '+70000000001', 'Name1', 'Surname1', '', '{}', 1762000000, '2025-11-03 18:57:11')");
    }

    /// <summary>Tables and views Initialize stands for: engine, keys, and every column's name, type and default, in order.</summary>
    static string Shape(TestClickHouse ch, IEnumerable<string> names)
    {
        var list = string.Join(", ", names.Select(n => $"'{n}'"));
        var tables = ch.Admin($"SELECT name, engine, sorting_key, partition_key FROM system.tables WHERE database = '{ch.Database}' AND name IN ({list}) ORDER BY name");
        var columns = ch.Admin($"SELECT table, name, type, default_kind, default_expression FROM system.columns WHERE database = '{ch.Database}' " +
                               $"AND table IN ({list}) ORDER BY table, position");
        return (tables + "\n" + columns).Replace(ch.Database, "db", StringComparison.Ordinal);
    }

    static IReadOnlyList<OptionalViewOutcome> Initialize(TestClickHouse ch)
    {
        using var store = StoreHelpers.Admin(ch);
        StoreHelpers.Initialize(store);
        return store.EnsureOptionalViewsAsync(default).GetAwaiter().GetResult();
    }

    [Theory]
    [MemberData(nameof(StartingPoints))]
    public void Every_legacy_starting_point_ends_in_the_schema_of_a_new_database(string point)
    {
        using var fresh = new TestClickHouse();
        Initialize(fresh);
        var names = Schema.Objects(Schema.Migrations(fresh.Database, SchemaOptions.Single)).Select(o => o.Name).ToList();
        Assert.Contains(KnownTables.Inventory, names);
        Assert.Contains("v_qtickets_freshness", names);

        using var ch = new TestClickHouse();
        var refused = LegacySql.Run(ch, Files(point));
        Assert.All(refused, r => Assert.Matches(s_knownRefusals, r));
        SeedLegacyRows(ch);
        var views = Initialize(ch);

        Assert.Equal(Shape(fresh, names), Shape(ch, names));
        var db = ch.Database;
        // Legacy orders re-keyed, one row per order; its inventory readings (a dict for the city) gone; the event's city named.
        Assert.Equal("4360\t2\t1056\n4361\t1\t500", ch.Admin($"SELECT order_id, tickets_sold, revenue FROM {db}.stg_qtickets_api_orders_raw FINAL ORDER BY order_id"));
        foreach (var table in new[] { KnownTables.InventoryLatest, KnownTables.InventoryStaging, KnownTables.Inventory })
            Assert.Equal(0, ch.Count($"SELECT count() FROM {db}.{table} WHERE startsWith(toString(city), '{{')"));
        Assert.Equal("31038\tТомск", ch.Admin($"SELECT event_id, city FROM {db}.dim_events FINAL"));
        Assert.Equal(0, ch.Count($"SELECT count() FROM {db}.{KnownTables.Clients}"));
        // A plain sum over the facts equals the staged orders.
        Assert.Equal("3\t1556", ch.Admin($"SELECT sum(tickets_sold), sum(revenue) FROM {db}.fact_qtickets_sales_daily"));
        Assert.Equal("3\t1556", ch.Admin($"SELECT sum(tickets_sold), sum(revenue) FROM {db}.fact_qtickets_sales_utm_daily"));
        // The legacy's own step 3 made the marketing tables without utm_term: the ROMI views are skipped, and say why.
        Assert.Equal("v_marketing_costs_daily: fact_vk_ads_daily has no column utm_term; fact_direct_daily has no column utm_term",
            string.Join("|", views.Where(v => !v.Created).Take(1).Select(v => $"{v.Name}: {v.Reason}")));
        Assert.Equal(0, ch.Count($"SELECT count() FROM system.tables WHERE database = '{db}' AND name IN ('v_marketing_costs_daily', 'v_romi_daily')"));
        // Every legacy view reads.
        foreach (var view in new[] { "v_qtickets_freshness", "v_qtickets_sales_dashboard", "v_sales_latest", "v_sales_14d", "v_plan_vs_fact", "v_qtickets_inventory" })
            ch.Admin($"SELECT * FROM {db}.{view} FORMAT Null");
    }

    [Fact]
    public void The_ROMI_views_come_with_the_marketing_tables_of_the_other_integrations()
    {
        using var ch = new TestClickHouse();
        var db = ch.Database;
        Assert.All(Initialize(ch), v => Assert.False(v.Created));
        Assert.Equal("fact_vk_ads_daily does not exist; fact_direct_daily does not exist",
            Initialize(ch).Single(v => v.Name == "v_marketing_costs_daily").Reason);
        foreach (var (table, spend) in new[] { ("fact_vk_ads_daily", "spent"), ("fact_direct_daily", "cost") })
            ch.Admin($"CREATE TABLE {db}.{table} (stat_date Date, utm_source String, utm_medium String, utm_campaign String, utm_content String, " +
                     $"utm_term String, {spend} Float64) ENGINE = MergeTree ORDER BY stat_date");
        ch.Admin($"INSERT INTO {db}.fact_vk_ads_daily VALUES ('2025-11-03', 'vk', 'cpc', 'autumn', '', '', 250)");
        ch.Admin($"INSERT INTO {db}.fact_qtickets_sales_utm_daily VALUES ('2025-11-03', '31038', 'Томск', 'vk', 'cpc', 'autumn', '', '', 2, 1000, 1)");
        Assert.All(Initialize(ch), v => Assert.True(v.Created, v.Name));
        Assert.Equal("2025-11-03\tvk\t1000\t250\t4", ch.Admin($"SELECT d, utm_source, revenue, spend, roas FROM {db}.v_romi_daily"));
    }
}
