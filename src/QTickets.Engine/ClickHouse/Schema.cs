using QTickets.Core.Contracts;
using static QTickets.Core.Contracts.KnownTables;

namespace QTickets.Engine.ClickHouse;

/// <summary>
/// The schema as versioned migrations. Table names and columns are the legacy ones so the
/// dashboards keep working; what differs is deliberate:
/// <list type="bullet">
/// <item>staging revenue is Decimal(18,2): an order's amount is exact money; the facts keep Float64 (what the
/// dashboards and the ROMI views divide with floats) but are computed as toFloat64 of a decimal sum, so no
/// float error accumulates;</item>
/// <item>the tables the writer inserts into keep non_replicated_deduplication_window batches' hashes, so a
/// retried batch (same insert_deduplication_token) is dropped;</item>
/// <item>readers' views use FINAL; the legacy materialized view mv_qtickets_sales_latest becomes a plain view of
/// the same name and columns (see <see cref="Views"/>).</item>
/// </list>
/// </summary>
public static partial class Schema
{
    /// <summary>Batches whose hashes each non-replicated table remembers: a retry within 1000 inserts is dropped.</summary>
    public const int DeduplicationWindow = 1000;

    /// <summary>The sales row key recipe, in SQL: md5 of the order id's text (Transform/DedupKey.ForOrder).</summary>
    public const string OrderKeySql = "lower(hex(MD5(order_id)))";

    /// <summary>Tables the writer inserts into in batches: these get the deduplication window.</summary>
    public static readonly string[] WriterTables =
        { OrdersStaging, InventoryStaging, Events, InventoryLatest, JobRuns, LoaderState };

    /// <summary>
    /// The orders staging table's durability. ClickHouse acknowledges an INSERT once the part is written to the page
    /// cache; these settings make it acknowledge only after the part's files and directory are fsynced. They are
    /// table settings (an INSERT cannot set them), so the scheduled load's inserts sync too: it writes a few large
    /// batches a run, where one sync per part costs milliseconds; the receiver's group commit makes a few inserts a
    /// second whatever the delivery rate, so the sync is paid per batch, not per delivery (BENCHMARKS.md has the cost).
    /// </summary>
    public const string StagingFsyncSettings = "fsync_after_insert = 1, fsync_part_directory = 1";

    public const string StagingOrderColumns =
        "order_id, event_id, city, utm_source, utm_medium, utm_campaign, utm_content, utm_term, sale_ts, tickets_sold, revenue, currency, payload_json, _ver, _dedup_key";

    sealed record Table(string Name, string Columns, string Engine, string? Version, string OrderBy, string? PartitionBy, bool Writer);

    static readonly Table[] s_tables =
    {
        new(OrdersStaging,
            "order_id String, event_id String, city LowCardinality(String), utm_source LowCardinality(String), " +
            "utm_medium LowCardinality(String), utm_campaign String, utm_content String, utm_term String, sale_ts DateTime, " +
            "tickets_sold UInt32, revenue Decimal(18, 2), currency LowCardinality(String), payload_json String, _ver UInt64, " +
            "_dedup_key FixedString(32)",
            "ReplacingMergeTree", "_ver", "(_dedup_key)", "tuple()", true),
        new(InventoryStaging,
            "snapshot_ts DateTime, event_id String, event_name String, city LowCardinality(String), " +
            "tickets_total Nullable(UInt32), tickets_left Nullable(UInt32), _ver UInt64, _dedup_key FixedString(32)",
            "ReplacingMergeTree", "_ver", "(event_id, city, snapshot_ts)", "tuple()", true),
        new(Events,
            "event_id String, event_name String, city LowCardinality(String), start_date Nullable(Date), end_date Nullable(Date), " +
            "tickets_total UInt32 DEFAULT 0, tickets_left UInt32 DEFAULT 0, _ver UInt64, _loaded_at DateTime DEFAULT now()",
            "ReplacingMergeTree", "_ver", "(event_id)", "tuple()", true),
        new(SalesDaily,
            "sales_date Date, event_id String, city LowCardinality(String), tickets_sold UInt32, revenue Float64, _ver UInt64",
            "ReplacingMergeTree", "_ver", "(event_id, sales_date, city)", "toYYYYMM(sales_date)", false),
        new(SalesUtmDaily,
            "sales_date Date, event_id String, city LowCardinality(String), utm_source LowCardinality(String), " +
            "utm_medium LowCardinality(String), utm_campaign String, utm_content String, utm_term String, tickets_sold UInt32, " +
            "revenue Float64, _ver UInt64",
            "ReplacingMergeTree", "_ver", "(sales_date, event_id, city, utm_source, utm_campaign, utm_medium, utm_content, utm_term)",
            "toYYYYMM(sales_date)", false),
        new(InventoryLatest,
            "snapshot_ts DateTime, event_id String, event_name String, city LowCardinality(String), " +
            "tickets_total Nullable(UInt32), tickets_left Nullable(UInt32), _ver UInt64",
            "ReplacingMergeTree", "_ver", "(event_id, city)", "tuple()", true),
        new(JobRuns,
            "job LowCardinality(String), run_id UUID DEFAULT generateUUIDv4(), started_at DateTime, finished_at DateTime, " +
            "status LowCardinality(String), rows_processed UInt64 DEFAULT 0, message String DEFAULT '', metrics String DEFAULT ''",
            "MergeTree", null, "(job, started_at)", "toYYYYMM(started_at)", true),
        // Not written by the loader, but the smoke checks and v_plan_vs_fact expect it.
        new(PlanSales,
            "sales_date Date, event_id String, city LowCardinality(String), plan_tickets UInt32 DEFAULT 0, " +
            "plan_revenue Float64 DEFAULT 0, _ver UInt64, _loaded_at DateTime DEFAULT now()",
            "ReplacingMergeTree", "_ver", "(sales_date, city, event_id)", "toYYYYMM(sales_date)", false),
        // The loader's watermark (and any other resumable state) lives next to the data, so a fresh machine resumes.
        new(LoaderState,
            "job LowCardinality(String), name String, value String, updated_at DateTime, _ver UInt64",
            "ReplacingMergeTree", "_ver", "(job, name)", null, true),
    };

    /// <summary>
    /// Created by migration 5, not by 1 (a released step never changes). One row per order and version; the
    /// latest version says whether it is open, loaded, or ignored by a person (README: rejected orders).
    /// </summary>
    static readonly Table s_rejectedOrders = new(RejectedOrders,
        "job LowCardinality(String), order_id String, problem String, state LowCardinality(String), first_seen DateTime, " +
        "last_seen DateTime, attempts UInt32, run_id UUID, note String DEFAULT '', _ver UInt64",
        "ReplacingMergeTree", "_ver", "(job, order_id)", null, true);

    internal static string SchemaMigrationsDdl(string db, SchemaOptions o) =>
        $"CREATE TABLE IF NOT EXISTS {db}.{SchemaMigrations}{OnCluster(o)} (version UInt32, name String, " +
        $"statements_md5 String, applied_at DateTime DEFAULT now()) ENGINE = {EngineClause(o, "MergeTree", null)} ORDER BY version";

    static string OnCluster(SchemaOptions o) => o.Cluster is null ? "" : $" ON CLUSTER {Quote(o.Cluster)}";

    static string Quote(string identifier) => "`" + identifier.Replace("`", "``", StringComparison.Ordinal) + "`";

    static string EngineClause(SchemaOptions o, string engine, string? version) =>
        o.Cluster is null
            ? $"{engine}({version})"
            : $"Replicated{engine}('{o.ReplicaPath}', '{{replica}}'{(version is null ? "" : ", " + version)})";

    static string TableDdl(string db, Table t, SchemaOptions o, string? name = null, string? moreSettings = null)
    {
        var settings = "index_granularity = 8192";
        // Replicated tables deduplicate inserts by default (replicated_deduplication_window); plain ones must opt in.
        if (t.Writer && o.Cluster is null) settings += $", non_replicated_deduplication_window = {DeduplicationWindow}";
        if (moreSettings is not null) settings += ", " + moreSettings;
        return $"CREATE TABLE IF NOT EXISTS {db}.{name ?? t.Name}{OnCluster(o)} ({t.Columns}) ENGINE = {EngineClause(o, t.Engine, t.Version)}" +
               (t.PartitionBy is null ? "" : $" PARTITION BY {t.PartitionBy}") + $" ORDER BY {t.OrderBy} SETTINGS {settings}";
    }

    /// <summary>The versioned steps, in order. Never edit a released step: add one.</summary>
    public static IReadOnlyList<SchemaMigration> Migrations(string db, SchemaOptions o) =>
    [
        new()
        {
            Version = 1, Name = "create_tables",
            Description = "Database, the legacy tables (revenue Decimal in staging, deduplication window on writer tables), the version table and the loader's state",
            Statements = new[] { $"CREATE DATABASE IF NOT EXISTS {db}{OnCluster(o)}", SchemaMigrationsDdl(db, o) }
                .Concat(s_tables.Select(t => TableDdl(db, t, o))).ToArray(),
        },
        new()
        {
            Version = 2, Name = "deduplication_window",
            Description = "Tables a legacy loader created lack the insert deduplication window; MODIFY SETTING adds it (no-op on new tables, not needed on Replicated ones)",
            Statements = o.Cluster is not null
                ? Array.Empty<string>()
                : WriterTables.Select(t => $"ALTER TABLE {db}.{t} MODIFY SETTING non_replicated_deduplication_window = {DeduplicationWindow}").ToArray(),
        },
        new()
        {
            Version = 3, Name = "orders_rekey",
            Description = "Legacy staging rows are keyed by md5(order::event::sale_ts::revenue), so a changed order counted twice. " +
                "Copy them re-keyed by md5(order_id) with revenue as Decimal(18,2) (the latest version per order wins), swap the tables " +
                "(the old one stays as " + OrdersStaging + "_legacy_v3), collapse, and recompute every staged day's facts. Skipped when no row needs it.",
            Statements = RekeyStatements(db, o),
        },
        new()
        {
            Version = 4, Name = "reader_views",
            Description = "Readers' views with FINAL; the legacy materialized view mv_qtickets_sales_latest becomes a plain view",
            Statements = Views(db, o),
        },
        new()
        {
            Version = 5, Name = "rejected_orders",
            Description = "Orders the loader rejected (an unreadable value, an unknown event), retried by id on every run until they " +
                "load or a person marks them ignored",
            Statements = new[] { TableDdl(db, s_rejectedOrders, o) },
        },
        LegacyObjectsMigration(db, o),
        new()
        {
            Version = 7, Name = "staging_fsync",
            Description = "The orders staging table syncs each inserted part to disk (fsync_after_insert, fsync_part_directory): " +
                "the webhook receiver answers 200 once a delivery's row is inserted, and QTickets never sends that delivery " +
                "again, so the row must survive a power loss, not only a ClickHouse restart",
            Statements = new[]
            {
                // The whole definition too, so that a staging table dropped after this step comes back with the setting.
                TableDdl(db, s_tables.Single(t => t.Name == OrdersStaging), o, moreSettings: StagingFsyncSettings),
                $"ALTER TABLE {db}.{OrdersStaging}{OnCluster(o)} MODIFY SETTING {StagingFsyncSettings}",
            },
        },
    ];

    static string[] RekeyStatements(string db, SchemaOptions o)
    {
        var staging = s_tables.Single(t => t.Name == OrdersStaging);
        var rekeyed = OrdersStaging + "_rekeyed";
        var backup = OrdersStaging + "_legacy_v3";
        // A database built by the legacy bootstrap_schema.sql alone has no utm or payload columns, which the copy
        // below reads; adding them first lets such a database migrate (no-op where they exist). Step 3 may say so
        // although released: a database it ever ran on has the columns, so its outcome there is unchanged.
        var statements = new List<string>(LegacyOrderColumns.Select(c =>
            $"ALTER TABLE {db}.{OrdersStaging}{OnCluster(o)} ADD COLUMN IF NOT EXISTS {c}"))
        {
            $"DROP TABLE IF EXISTS {db}.{rekeyed}{OnCluster(o)}",
            TableDdl(db, staging, o, rekeyed),
            // Revenue goes through its shortest text form, so 1056.0 or 0.29 as Float64 become exactly 1056.00 and 0.29.
            $"INSERT INTO {db}.{rekeyed} ({StagingOrderColumns}) SELECT order_id, event_id, city, utm_source, utm_medium, utm_campaign, " +
            $"utm_content, utm_term, sale_ts, tickets_sold, toDecimal64(toString(round(toFloat64(revenue), 2)), 2), currency, payload_json, _ver, " +
            $"{OrderKeySql} FROM {db}.{OrdersStaging} SETTINGS insert_deduplicate = 0",
            $"EXCHANGE TABLES {db}.{OrdersStaging} AND {db}.{rekeyed}{OnCluster(o)}",
            $"RENAME TABLE {db}.{rekeyed} TO {db}.{backup}{OnCluster(o)}",
            $"OPTIMIZE TABLE {db}.{OrdersStaging}{OnCluster(o)} FINAL",
        };
        statements.AddRange(DailyFacts.Statements(db, $"SELECT DISTINCT toDate(sale_ts) FROM {db}.{OrdersStaging}", "toUInt64(toUnixTimestamp(now()))"));
        return statements.ToArray();
    }

    /// <summary>
    /// The legacy mv_qtickets_sales_latest is a materialized view over the orders staging table: it fires on each inserted
    /// block, so it sums every version of an order that was ever loaded (a re-load doubles it, a refund never
    /// subtracts), and its ReplacingMergeTree target, keyed (event_id, city) with no version, keeps whichever
    /// block's partial sum merges last. No MV over a ReplacingMergeTree source can be right, because the
    /// replacement happens after the MV saw the rows. A plain view over staging FINAL with the same name and
    /// columns is computed at read time and is exact (14 days of orders: cheap).
    /// </summary>
    static string[] Views(string db, SchemaOptions o) => new[]
    {
        $"DROP TABLE IF EXISTS {db}.mv_qtickets_sales_latest{OnCluster(o)}",
        $"CREATE OR REPLACE VIEW {db}.mv_qtickets_sales_latest{OnCluster(o)} AS " +
        $"SELECT event_id, city, max(sale_ts) AS latest_sale_ts, sum(tickets_sold) AS tickets_sold_14d, toFloat64(sum(revenue)) AS revenue_14d " +
        $"FROM {db}.{OrdersStaging} FINAL WHERE sale_ts >= today() - 14 GROUP BY event_id, city",
        $"CREATE OR REPLACE VIEW {db}.v_qtickets_sales_dashboard{OnCluster(o)} AS " +
        "SELECT s.event_id AS event_id, if(e.event_name = '', 'Unknown Event', e.event_name) AS event_name, s.city AS city, " +
        "s.tickets_sold_today AS tickets_sold_today, s.revenue_today AS revenue_today, s.tickets_sold_14d AS tickets_sold_14d, " +
        "s.revenue_14d AS revenue_14d, i.tickets_total AS tickets_total, i.tickets_left AS tickets_left, " +
        "i.inventory_updated_at AS inventory_updated_at, e.start_date AS start_date, e.end_date AS end_date " +
        "FROM (SELECT event_id, city, sumIf(tickets_sold, sales_date = today()) AS tickets_sold_today, " +
        "sumIf(revenue, sales_date = today()) AS revenue_today, sum(tickets_sold) AS tickets_sold_14d, sum(revenue) AS revenue_14d " +
        $"FROM {db}.{SalesDaily} FINAL WHERE sales_date >= today() - 14 GROUP BY event_id, city) AS s " +
        // Joined on event_id only: the legacy also joined on city, which never matched.
        $"LEFT JOIN (SELECT event_id, event_name, start_date, end_date FROM {db}.{Events} FINAL) AS e ON e.event_id = s.event_id " +
        "LEFT JOIN (SELECT event_id, sum(tickets_total) AS tickets_total, sum(tickets_left) AS tickets_left, " +
        $"max(snapshot_ts) AS inventory_updated_at FROM {db}.{InventoryLatest} FINAL GROUP BY event_id) AS i ON i.event_id = s.event_id",
        $"CREATE OR REPLACE VIEW {db}.v_qtickets_inventory{OnCluster(o)} AS " +
        $"SELECT event_id, city, tickets_total, tickets_left, tickets_total - tickets_left AS tickets_sold FROM {db}.{InventoryLatest} FINAL",
        $"CREATE OR REPLACE VIEW {db}.v_qtickets_sales_utm_daily{OnCluster(o)} AS " +
        "SELECT sales_date AS d, event_id, city, utm_source, utm_medium, utm_campaign, utm_content, utm_term, " +
        "if(utm_source = '', 'unknown', utm_source) AS utm_group, sum(tickets_sold) AS tickets_sold, sum(revenue) AS revenue " +
        $"FROM {db}.{SalesUtmDaily} FINAL GROUP BY d, event_id, city, utm_source, utm_medium, utm_campaign, utm_content, utm_term",
    };

    static readonly System.Text.RegularExpressions.Regex s_creates = new(
        @"^CREATE (?:TABLE IF NOT EXISTS|OR REPLACE VIEW) \w+\.(\w+)", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    static readonly System.Text.RegularExpressions.Regex s_removes = new(
        @"^(?:DROP (?:TABLE|VIEW) IF EXISTS|RENAME TABLE) \w+\.(\w+)", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>
    /// The tables and views that <paramref name="migrations"/> leave behind, each with the last statement that
    /// creates it (its current definition), in the order they are created; a name a later statement drops or
    /// renames away (a migration's scratch table) is not among them. A migration that changes a table's columns
    /// therefore states the table's whole new definition as a CREATE TABLE IF NOT EXISTS too, so that a table
    /// dropped after it comes back as it is now.
    /// </summary>
    public static IReadOnlyList<SchemaObject> Objects(IEnumerable<SchemaMigration> migrations)
    {
        var objects = new List<SchemaObject>();
        foreach (var migration in migrations.OrderBy(m => m.Version))
            foreach (var statement in migration.Statements)
            {
                if (s_removes.Match(statement) is { Success: true } removed)
                    objects.RemoveAll(o => o.Name == removed.Groups[1].Value);
                if (s_creates.Match(statement) is not { Success: true } created) continue;
                var name = created.Groups[1].Value;
                var current = new SchemaObject(name, statement.StartsWith("CREATE TABLE", StringComparison.Ordinal) ? "table" : "view",
                    migration.Version, statement);
                // A table's later definition keeps the table's place, before the views that read it; a view's moves to
                // the end, after the tables its new query may read.
                var at = objects.FindIndex(o => o.Name == name);
                if (at >= 0 && current.Kind == "table") objects[at] = current;
                else
                {
                    objects.RemoveAll(o => o.Name == name);
                    objects.Add(current);
                }
            }
        return objects;
    }

    /// <summary>
    /// GRANT statements. The writer: INSERT on the tables it loads; SELECT only on what recomputing the facts and
    /// resuming need (staging orders without payload_json, the fact keys and versions without their numbers, its state, the
    /// schema version, who ran when). The reader: SELECT on the database (views run as the invoker, so they need
    /// their tables), nothing else.
    /// </summary>
    public static IReadOnlyList<string> Grants(string db, GrantPlan plan)
    {
        var w = plan.WriterUser;
        var r = plan.ReaderUser;
        var grants = new List<string>();
        foreach (var t in new[] { OrdersStaging, InventoryStaging, Events, SalesDaily, SalesUtmDaily, InventoryLatest, JobRuns, LoaderState, RejectedOrders, Inventory,
                     Discounts, PromoCodes, PriceShades })
            grants.Add($"GRANT INSERT ON {db}.{t} TO {w}");
        // DELETE (lightweight) where a run replaces rows rather than outranking them: a day's facts and an event's
        // inventory (so plain sums without FINAL are right), and what a legacy loader still running wrote (its
        // staging keys and dict cities, which no row of ours replaces). It gives no more than INSERT already does:
        // a row with a higher version replaces any order or fact. No UPDATE, no schema change.
        foreach (var t in new[] { OrdersStaging, Events, SalesDaily, SalesUtmDaily, InventoryLatest, Inventory })
            grants.Add($"GRANT ALTER DELETE ON {db}.{t} TO {w}");
        grants.Add($"GRANT SELECT(event_id, city, tickets_total, tickets_left, _ver) ON {db}.{InventoryLatest} TO {w}");
        grants.Add($"GRANT SELECT(event_id, city, _ver) ON {db}.{Inventory} TO {w}");
        grants.Add($"GRANT SELECT(event_id, city) ON {db}.{Events} TO {w}");
        grants.Add($"GRANT SELECT(order_id, event_id, city, utm_source, utm_medium, utm_campaign, utm_content, utm_term, sale_ts, " +
                   $"tickets_sold, revenue, currency, _ver, _dedup_key) ON {db}.{OrdersStaging} TO {w}");
        // _ver too: after recomputing, the loader counts the fact rows it just wrote (WHERE _ver = this run's version).
        grants.Add($"GRANT SELECT(sales_date, event_id, city, _ver) ON {db}.{SalesDaily} TO {w}");
        grants.Add($"GRANT SELECT(sales_date, event_id, city, utm_source, utm_medium, utm_campaign, utm_content, utm_term, _ver) ON {db}.{SalesUtmDaily} TO {w}");
        grants.Add($"GRANT SELECT(job, status, started_at) ON {db}.{JobRuns} TO {w}");
        grants.Add($"GRANT SELECT ON {db}.{LoaderState} TO {w}");
        // Every run reads which rejected orders to retry and the table's highest version.
        grants.Add($"GRANT SELECT ON {db}.{RejectedOrders} TO {w}");
        grants.Add($"GRANT SELECT ON {db}.{SchemaMigrations} TO {w}");
        grants.Add($"GRANT SELECT ON {db}.* TO {r}");
        return grants;
    }
}
