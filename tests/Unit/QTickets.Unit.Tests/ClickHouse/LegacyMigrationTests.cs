using System.Security.Cryptography;
using System.Text;
using QTickets.Core.Contracts;
using QTickets.Tests.Shared;

namespace QTickets.Unit.Tests.ClickHouse;

/// <summary>A database the legacy loader filled (its DDL and its dedup keys), migrated, then loaded anew.</summary>
public sealed class LegacyMigrationTests : IClassFixture<TestClickHouse>
{
    readonly TestClickHouse _ch;

    public LegacyMigrationTests(TestClickHouse ch) => _ch = ch;

    static string Md5(string s) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(s)));

    /// <summary>The legacy recipe: md5("order::event::sale_ts::revenue") with Python's float text.</summary>
    static string LegacyKey(string order, string evt, string ts, string revenue) => Md5($"{order}::{evt}::{ts}::{revenue}");

    [Fact]
    public void Legacy_rows_are_rekeyed_so_each_order_counts_once_after_a_new_load()
    {
        var db = _ch.Database;
        Assert.Equal("2625563b4f07eac550532d619370a1e5", LegacyKey("4360", "33", "2019-07-30 12:50:52", "800.0")); // the legacy key of this order
        _ch.Admin($"CREATE TABLE {db}.stg_qtickets_api_orders_raw (order_id String, event_id String, city LowCardinality(String), " +
                  "utm_source LowCardinality(String), utm_medium LowCardinality(String), utm_campaign String, utm_content String, utm_term String, " +
                  "sale_ts DateTime, tickets_sold UInt32, revenue Float64, currency LowCardinality(String), payload_json String, _ver UInt64, " +
                  "_dedup_key FixedString(32)) ENGINE = ReplacingMergeTree(_ver) PARTITION BY tuple() ORDER BY (_dedup_key) SETTINGS index_granularity = 8192");
        _ch.Admin($"CREATE TABLE {db}.fact_qtickets_sales_daily (sales_date Date, event_id String, city LowCardinality(String), tickets_sold UInt32, " +
                  "revenue Float64, _ver UInt64) ENGINE = ReplacingMergeTree(_ver) PARTITION BY toYYYYMM(sales_date) ORDER BY (event_id, sales_date, city)");
        _ch.Admin($"CREATE MATERIALIZED VIEW {db}.mv_qtickets_sales_latest ENGINE = ReplacingMergeTree() ORDER BY (event_id, city) AS " +
                  $"SELECT event_id, city, argMax(sale_ts, _ver) AS latest_sale_ts, sum(tickets_sold) AS tickets_sold_14d, sum(revenue) AS revenue_14d " +
                  $"FROM {db}.stg_qtickets_api_orders_raw WHERE sale_ts >= today() - 14 GROUP BY event_id, city");
        // Order 4360 loaded by three runs: 800.0, then its revenue changed to 1056.0 (another key: a second row), then
        // the same again (same key: replaced). Order 4361 once, with zero revenue (hashed as an empty string).
        var rows = new[]
        {
            ("4360", "2019-07-30 12:50:52", 1, "800.0", 1700000000UL),
            ("4360", "2019-07-30 12:50:52", 2, "1056.0", 1700001800UL),
            ("4360", "2019-07-30 12:50:52", 2, "1056.0", 1700003600UL),
            ("4361", "2019-07-30 13:00:00", 1, "", 1700000000UL),
        };
        foreach (var (order, ts, tickets, revenue, ver) in rows)
            _ch.Admin($"INSERT INTO {db}.stg_qtickets_api_orders_raw VALUES ('{order}', '33', '', 'vk', '', '', '', '', '{ts}', {tickets}, " +
                      $"{(revenue.Length == 0 ? "0" : revenue)}, 'RUB', '{{}}', {ver}, '{LegacyKey(order, "33", ts, revenue)}')");
        // The legacy partial-window facts: the day's row holds only the last window's sum.
        _ch.Admin($"INSERT INTO {db}.fact_qtickets_sales_daily VALUES ('2019-07-30', '33', '', 2, 1056, 1700003600)");
        Assert.Equal("2\t3\t1856", _ch.Admin($"SELECT count(), sum(tickets_sold), sum(revenue) FROM {db}.stg_qtickets_api_orders_raw FINAL WHERE order_id = '4360'"));

        using var store = StoreHelpers.Admin(_ch);
        StoreHelpers.Initialize(store);

        Assert.Equal("Decimal(18, 2)", _ch.Admin($"SELECT type FROM system.columns WHERE database = '{db}' AND table = 'stg_qtickets_api_orders_raw' AND name = 'revenue'"));
        Assert.Equal("View", _ch.Admin($"SELECT engine FROM system.tables WHERE database = '{db}' AND name = 'mv_qtickets_sales_latest'"));
        Assert.Equal(1, _ch.Count($"SELECT count() FROM system.tables WHERE database = '{db}' AND name = 'stg_qtickets_api_orders_raw_legacy_v3'"));
        Assert.Equal("4360\t2\t1056\n4361\t1\t0", _ch.Admin(
            $"SELECT order_id, tickets_sold, revenue FROM {db}.stg_qtickets_api_orders_raw FINAL ORDER BY order_id"));
        Assert.Equal("2019-07-30\t3\t1056", _ch.Admin($"SELECT sales_date, tickets_sold, revenue FROM {db}.fact_qtickets_sales_daily FINAL"));

        // The new loader stages the same orders again (new recipe, new run): still one row per order.
        var ts1 = new DateTime(2019, 7, 30, 12, 50, 52);
        StoreHelpers.Write(store, KnownTables.OrdersStaging, new[]
        {
            StoreHelpers.Sale(4360, ts1, 2, 1056m, 1700007200, city: "", utmSource: "vk"),
            StoreHelpers.Sale(4361, ts1.AddMinutes(10).AddSeconds(-52), 1, 0m, 1700007200, city: "", utmSource: "vk"),
        });
        store.RecomputeDailyFactsAsync(new[] { DateOnly.FromDateTime(ts1) }, 1700007200, default).GetAwaiter().GetResult();
        Assert.Equal("4360\t1\n4361\t1", _ch.Admin(
            $"SELECT order_id, count() FROM {db}.stg_qtickets_api_orders_raw FINAL GROUP BY order_id ORDER BY order_id"));
        Assert.Equal("2019-07-30\t3\t1056", _ch.Admin($"SELECT sales_date, tickets_sold, revenue FROM {db}.fact_qtickets_sales_daily FINAL"));
        var checks = store.RunSmokeChecksAsync("qtickets_api", default).GetAwaiter().GetResult();
        Assert.Equal("0", checks.Single(c => c.Name == "duplicate_orders").Value);
    }
}
