using QTickets.Core.Contracts;
using static QTickets.Core.Contracts.KnownTables;

namespace QTickets.Engine.ClickHouse;

/// <summary>
/// The objects the legacy schema defined over the qtickets data that the first five steps do not create, and
/// the steps that bring every database the legacy could leave behind (its bootstrap alone, or with any of its
/// migration files, with or without the promo hotfix) to one schema.
/// </summary>
public static partial class Schema
{
    /// <summary>The staging columns the legacy bootstrap lacks (its migration added them after city and currency).</summary>
    static readonly string[] LegacyOrderColumns =
    {
        "utm_source LowCardinality(String) AFTER city", "utm_medium LowCardinality(String) AFTER utm_source",
        "utm_campaign String AFTER utm_medium", "utm_content String AFTER utm_campaign", "utm_term String AFTER utm_content",
        "payload_json String AFTER currency",
    };

    /// <summary>
    /// The legacy's auxiliary staging tables, with its columns. What fills them:
    /// <list type="bullet">
    /// <item>clients: nothing. It held buyers' e-mails, phones and names; customers' personal data is never stored,
    /// so the table exists (legacy checks list it) and is emptied;</item>
    /// <item>price shades, discounts, promo codes: reference lists without personal data, loaded whole by every
    /// scheduled run (`/color-themes`, `/discounts`, `/promo-codes`);</item>
    /// <item>barcodes: nothing. The endpoint the legacy called (GET /barcodes) does not exist (HTML 404), and the
    /// documented one lists a show's barcodes with the holders' names;</item>
    /// <item>partner tickets: nothing. The Partners API needs a key issued by QTickets support (a REST token is
    /// refused); the legacy never had one and neither does this module's configuration.</item>
    /// </list>
    /// </summary>
    static readonly Table[] s_auxTables =
    {
        new(Clients, "client_id String, email String, phone String, first_name String, last_name String, middle_name String, " +
            "payload_json String, _ver UInt64, _ingest_ts DateTime", "ReplacingMergeTree", "_ver", "(client_id)", "tuple()", false),
        new(PriceShades, "shade_id String, name String, color String, payload_json String, _ver UInt64, _ingest_ts DateTime",
            "ReplacingMergeTree", "_ver", "(shade_id)", "tuple()", false),
        new(Discounts, "discount_id String, name String, discount_type LowCardinality(String), discount_value Nullable(Float64), " +
            "payload_json String, _ver UInt64, _ingest_ts DateTime", "ReplacingMergeTree", "_ver", "(discount_id)", "tuple()", false),
        new(PromoCodes, "promo_code_id String, code String, discount_type LowCardinality(String), discount_value Nullable(Float64), " +
            "valid_from Nullable(DateTime), valid_to Nullable(DateTime), payload_json String, _ver UInt64, _ingest_ts DateTime",
            "ReplacingMergeTree", "_ver", "(promo_code_id)", "tuple()", false),
        new(Barcodes, "barcode String, event_id String, show_id String, status LowCardinality(String), checked_at Nullable(DateTime), " +
            "payload_json String, _ver UInt64, _ingest_ts DateTime", "ReplacingMergeTree", "_ver", "(barcode)", "tuple()", false),
        new(PartnerTickets, "ticket_id String, event_id String, show_id String, external_order_id String, external_id String, " +
            "barcode String, paid UInt8, price Nullable(Float64), payload_json String, _ver UInt64, _ingest_ts DateTime",
            "ReplacingMergeTree", "_ver", "(ticket_id, external_order_id)", "tuple()", false),
    };

    /// <summary>
    /// The latest inventory per event and city as the legacy's sheets-era fact had it (0 where unknown). The loader
    /// fills it from each snapshot (ClickHouseStore.SupersedeInventoryAsync).
    /// </summary>
    static readonly Table s_inventory = new(Inventory,
        "event_id String, city LowCardinality(String), tickets_total UInt32 DEFAULT 0, tickets_left UInt32 DEFAULT 0, _ver UInt64, " +
        "_loaded_at DateTime DEFAULT now()", "ReplacingMergeTree", "_ver", "(event_id, city)", "tuple()", false);

    /// <summary>A city the legacy stored as a lower-cased Python dict repr, e.g. {'id': 24, 'name': 'томск', ...}.</summary>
    public const string LegacyCitySql = "startsWith(toString(city), '{')";

    static SchemaMigration LegacyObjectsMigration(string db, SchemaOptions o)
    {
        var statements = new List<string>
        {
            // A legacy bootstrap's dim_events has no _loaded_at; its rows name the city as a dict: the name it holds,
            // capitalised like QTickets serves it (the loader rewrites every event it still lists).
            $"ALTER TABLE {db}.{Events}{OnCluster(o)} ADD COLUMN IF NOT EXISTS _loaded_at DateTime DEFAULT now()",
            $"ALTER TABLE {db}.{Events}{OnCluster(o)} UPDATE city = initcapUTF8(extract(toString(city), '\\'name\\': \\'([^\\']*)\\'')) " +
            $"WHERE {LegacyCitySql} SETTINGS mutations_sync = 2",
        };
        statements.AddRange(s_auxTables.Select(t => TableDdl(db, t, o)));
        // The legacy's promo hotfix, for databases that never ran it.
        statements.Add($"ALTER TABLE {db}.{PromoCodes}{OnCluster(o)} ADD COLUMN IF NOT EXISTS discount_value Nullable(Float64) AFTER discount_type");
        statements.Add($"TRUNCATE TABLE IF EXISTS {db}.{Clients}{OnCluster(o)}");
        statements.Add(TableDdl(db, s_inventory, o));
        // Inventory tables in one shape whatever legacy file made them (non-null counts, another ORDER BY, String
        // cities), without the legacy's readings: seat counts of an endpoint that no longer answers, NULL for 0,
        // and a dict for the city, so they never matched an event's sales. The next snapshot writes the current ones.
        statements.AddRange(Rebuild(db, o, s_tables.Single(t => t.Name == InventoryStaging),
            "snapshot_ts, event_id, event_name, city, tickets_total, tickets_left, _ver, _dedup_key"));
        statements.AddRange(Rebuild(db, o, s_tables.Single(t => t.Name == InventoryLatest),
            "snapshot_ts, event_id, event_name, city, tickets_total, tickets_left, _ver"));
        statements.AddRange(Rebuild(db, o, s_inventory, "event_id, city, tickets_total, tickets_left, _ver"));
        // From here on a plain sum over the facts is right (each recomputation deletes the day's rows first); the
        // rows written before are collapsed to one per key once.
        statements.Add($"OPTIMIZE TABLE {db}.{SalesDaily}{OnCluster(o)} FINAL");
        statements.Add($"OPTIMIZE TABLE {db}.{SalesUtmDaily}{OnCluster(o)} FINAL");
        statements.AddRange(LegacyViews(db, o));
        return new SchemaMigration
        {
            Version = 6, Name = "legacy_objects",
            Description = "The rest of the legacy schema over the qtickets data: fact_qtickets_inventory (filled from each inventory snapshot), " +
                "the auxiliary staging tables (clients emptied and kept empty: customers' personal data is never stored; price shades, " +
                "discounts and promo codes filled by every scheduled run; barcodes need an endpoint that lists holders' " +
                "names, partner tickets a Partners API key from QTickets support), v_qtickets_freshness, v_sales_latest, v_sales_14d, " +
                "v_plan_vs_fact, and v_qtickets_sales_dashboard with the legacy meaning (one row per event). Legacy inventory rows (city " +
                "stored as a dict) removed, dim_events cities named; facts collapsed once so plain sums are right",
            Statements = statements,
        };
    }

    /// <summary>Copies a table into its current definition (rows with a legacy dict city left out) and swaps the two.</summary>
    static IEnumerable<string> Rebuild(string db, SchemaOptions o, Table t, string columns)
    {
        var next = t.Name + "_v6";
        return new[]
        {
            $"DROP TABLE IF EXISTS {db}.{next}{OnCluster(o)}",
            TableDdl(db, t, o, next),
            $"INSERT INTO {db}.{next} ({columns}) SELECT {columns} FROM {db}.{t.Name} WHERE NOT {LegacyCitySql} SETTINGS insert_deduplicate = 0",
            $"EXCHANGE TABLES {db}.{t.Name} AND {db}.{next}{OnCluster(o)}",
            $"DROP TABLE IF EXISTS {db}.{next}{OnCluster(o)}",
        };
    }

    /// <summary>
    /// The legacy's views over the qtickets data, in its words. They read the facts without FINAL and the
    /// dimensions with argMax, which is right here: a plain sum over the facts is exact after every run.
    /// v_qtickets_sales_dashboard is one row per event of dim_events (also without recent sales), its sales joined
    /// on event and city (the city is one spelling everywhere, so it matches) and the latest inventory per event.
    /// </summary>
    static string[] LegacyViews(string db, SchemaOptions o) => new[]
    {
        $"CREATE OR REPLACE VIEW {db}.v_qtickets_sales_dashboard{OnCluster(o)} AS WITH " +
        $"latest_sales AS (SELECT event_id, city, sum(tickets_sold) AS tickets_sold_today, sum(revenue) AS revenue_today FROM {db}.{SalesDaily} " +
        "WHERE sales_date = today() GROUP BY event_id, city), " +
        $"latest_14d AS (SELECT event_id, city, sum(tickets_sold) AS tickets_sold_14d, sum(revenue) AS revenue_14d FROM {db}.{SalesDaily} " +
        "WHERE sales_date >= today() - INTERVAL 14 DAY GROUP BY event_id, city), " +
        "latest_inventory AS (SELECT event_id, argMax(event_name, _ver) AS event_name, argMax(tickets_total, _ver) AS tickets_total, " +
        $"argMax(tickets_left, _ver) AS tickets_left, argMax(snapshot_ts, _ver) AS snapshot_ts FROM {db}.{InventoryLatest} GROUP BY event_id), " +
        "events_dim AS (SELECT event_id, argMax(event_name, _ver) AS event_name, argMax(city, _ver) AS city, argMax(start_date, _ver) AS start_date, " +
        $"argMax(end_date, _ver) AS end_date FROM {db}.{Events} GROUP BY event_id) " +
        "SELECT COALESCE(ls.event_id, li.event_id, ed.event_id) AS event_id, COALESCE(li.event_name, ed.event_name, 'Unknown Event') AS event_name, " +
        "COALESCE(ls.city, coalesce(ed.city, '')) AS city, ls.tickets_sold_today, ls.revenue_today, l14.tickets_sold_14d, l14.revenue_14d, " +
        "li.tickets_total, li.tickets_left, li.snapshot_ts AS inventory_updated_at, ed.start_date, ed.end_date " +
        "FROM events_dim ed LEFT JOIN latest_sales ls ON ed.event_id = ls.event_id AND ed.city = ls.city " +
        "LEFT JOIN latest_14d l14 ON ed.event_id = l14.event_id AND ed.city = l14.city " +
        "LEFT JOIN latest_inventory li ON ed.event_id = li.event_id ORDER BY ls.revenue_today DESC, l14.revenue_14d DESC",

        // The legacy labelled every row 'qtickets_sheets' and DataLens filters on it; the dates are the newest sale
        // day, the newest event start and the newest inventory snapshot (the legacy read today() for the last).
        $"CREATE OR REPLACE VIEW {db}.v_qtickets_freshness{OnCluster(o)} AS " +
        "SELECT 'qtickets_sheets' AS source, 'sales' AS table_name, max(sales_date) AS latest_date, " +
        $"dateDiff('day', max(sales_date), today()) AS days_behind, count() AS total_rows FROM {db}.{SalesDaily} " +
        "UNION ALL SELECT 'qtickets_sheets' AS source, 'events' AS table_name, max(start_date) AS latest_date, " +
        $"dateDiff('day', max(start_date), today()) AS days_behind, count() AS total_rows FROM {db}.{Events} FINAL " +
        "UNION ALL SELECT 'qtickets_sheets' AS source, 'inventory' AS table_name, toDate(max(snapshot_ts)) AS latest_date, " +
        $"dateDiff('day', toDate(max(snapshot_ts)), today()) AS days_behind, count() AS total_rows FROM {db}.{InventoryLatest}",

        $"CREATE OR REPLACE VIEW {db}.v_sales_latest{OnCluster(o)} AS WITH " +
        $"latest_sales AS (SELECT event_id, city, sales_date, sum(tickets_sold) AS tickets_sold, sum(revenue) AS revenue FROM {db}.{SalesDaily} " +
        "WHERE sales_date >= today() - 14 GROUP BY event_id, city, sales_date), " +
        "latest_inventory AS (SELECT event_id, city, argMax(event_name, _ver) AS event_name, argMax(tickets_total, _ver) AS tickets_total, " +
        $"argMax(tickets_left, _ver) AS tickets_left, argMax(snapshot_ts, _ver) AS snapshot_ts FROM {db}.{InventoryLatest} GROUP BY event_id, city), " +
        $"latest_events AS (SELECT event_id, argMax(event_name, _ver) AS event_name, argMax(city, _ver) AS city FROM {db}.{Events} GROUP BY event_id) " +
        "SELECT s.event_id, coalesce(latest_inventory.event_name, latest_events.event_name) AS event_name, s.city, s.sales_date, s.tickets_sold, " +
        "s.revenue, latest_inventory.tickets_total, latest_inventory.tickets_left, latest_inventory.snapshot_ts FROM latest_sales s " +
        "LEFT JOIN latest_inventory ON s.event_id = latest_inventory.event_id AND lowerUTF8(s.city) = lowerUTF8(latest_inventory.city) " +
        "LEFT JOIN latest_events ON s.event_id = latest_events.event_id",

        $"CREATE OR REPLACE VIEW {db}.v_sales_14d{OnCluster(o)} AS WITH " +
        $"events_lookup AS (SELECT event_id, argMax(event_name, _ver) AS event_name, argMax(city, _ver) AS city FROM {db}.{Events} GROUP BY event_id) " +
        "SELECT s.event_id, coalesce(e.event_name, '') AS event_name, s.city, sum(s.tickets_sold) AS tickets_sold, sum(s.revenue) AS revenue " +
        $"FROM {db}.{SalesDaily} s LEFT JOIN events_lookup e ON s.event_id = e.event_id WHERE s.sales_date >= today() - 13 " +
        "GROUP BY s.event_id, e.event_name, s.city",

        $"CREATE OR REPLACE VIEW {db}.v_plan_vs_fact{OnCluster(o)} AS WITH " +
        $"fact AS (SELECT sales_date, event_id, city, sum(tickets_sold) AS fact_tickets, sum(revenue) AS fact_revenue FROM {db}.{SalesDaily} " +
        "GROUP BY sales_date, event_id, city), " +
        $"plan AS (SELECT sales_date, event_id, city, plan_tickets, plan_revenue FROM {db}.{PlanSales}) " +
        "SELECT coalesce(f.sales_date, p.sales_date) AS sales_date, coalesce(f.event_id, p.event_id) AS event_id, coalesce(f.city, p.city) AS city, " +
        "p.plan_tickets, p.plan_revenue, f.fact_tickets, f.fact_revenue, coalesce(f.fact_tickets, 0) - coalesce(p.plan_tickets, 0) AS diff_tickets, " +
        "coalesce(f.fact_revenue, 0) - coalesce(p.plan_revenue, 0) AS diff_revenue, " +
        "if(p.plan_revenue = 0, null, (f.fact_revenue - p.plan_revenue) / p.plan_revenue) AS diff_revenue_pct, " +
        "if(p.plan_tickets = 0, null, (f.fact_tickets - p.plan_tickets) / p.plan_tickets) AS diff_tickets_pct " +
        "FROM plan p FULL OUTER JOIN fact f ON p.sales_date = f.sales_date AND p.event_id = f.event_id AND p.city = f.city",
    };

    /// <summary>
    /// The legacy's ROMI views, which also read the marketing tables of the VK Ads and Yandex Direct integrations.
    /// Initialize creates each when the tables and columns it reads exist (the legacy's own init_integrations.sql
    /// made those tables without utm_term, so its views never could be created there) and names what it skipped.
    /// </summary>
    public static IReadOnlyList<OptionalView> OptionalViews(string db) => new OptionalView[]
    {
        new("v_marketing_costs_daily",
            new Dictionary<string, string[]>
            {
                ["fact_vk_ads_daily"] = new[] { "stat_date", "utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term", "spent" },
                ["fact_direct_daily"] = new[] { "stat_date", "utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term", "cost" },
            },
            $"CREATE OR REPLACE VIEW {db}.v_marketing_costs_daily AS " +
            "SELECT stat_date AS d, 'vk_ads' AS source, utm_source, utm_medium, utm_campaign, utm_content, utm_term, sum(spent) AS spend " +
            $"FROM {db}.fact_vk_ads_daily GROUP BY d, source, utm_source, utm_medium, utm_campaign, utm_content, utm_term UNION ALL " +
            "SELECT stat_date AS d, 'direct' AS source, utm_source, utm_medium, utm_campaign, utm_content, utm_term, sum(cost) AS spend " +
            $"FROM {db}.fact_direct_daily GROUP BY d, source, utm_source, utm_medium, utm_campaign, utm_content, utm_term"),
        new("v_romi_daily",
            new Dictionary<string, string[]> { ["v_marketing_costs_daily"] = Array.Empty<string>() },
            $"CREATE OR REPLACE VIEW {db}.v_romi_daily AS WITH " +
            "sales AS (SELECT d, utm_source, utm_campaign, utm_medium, utm_content, utm_term, sum(revenue) AS revenue, sum(tickets_sold) AS tickets_sold " +
            $"FROM {db}.v_qtickets_sales_utm_daily GROUP BY d, utm_source, utm_campaign, utm_medium, utm_content, utm_term), " +
            "costs AS (SELECT d, utm_source, utm_campaign, utm_medium, utm_content, utm_term, sum(spend) AS spend " +
            $"FROM {db}.v_marketing_costs_daily GROUP BY d, utm_source, utm_campaign, utm_medium, utm_content, utm_term) " +
            "SELECT coalesce(s.d, c.d) AS d, coalesce(nullIf(s.utm_source, ''), nullIf(c.utm_source, ''), 'unknown') AS utm_source, " +
            "coalesce(s.utm_campaign, c.utm_campaign, '') AS utm_campaign, coalesce(s.utm_medium, c.utm_medium, '') AS utm_medium, " +
            "coalesce(s.utm_content, c.utm_content, '') AS utm_content, coalesce(s.utm_term, c.utm_term, '') AS utm_term, " +
            "s.revenue, s.tickets_sold, c.spend, if(c.spend = 0, null, s.revenue / c.spend) AS roas FROM sales s FULL OUTER JOIN costs c " +
            "ON s.d = c.d AND s.utm_source = c.utm_source AND s.utm_campaign = c.utm_campaign AND s.utm_medium = c.utm_medium " +
            "AND s.utm_content = c.utm_content AND s.utm_term = c.utm_term"),
    };
}
