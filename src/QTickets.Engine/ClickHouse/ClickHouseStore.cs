using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO;
using QTickets.Core.Contracts;
using QTickets.Core.Load;
using QTickets.Core.Configuration;
using static QTickets.Core.Contracts.KnownTables;

// Namespace Storage, not ClickHouse: a QTickets.Engine.ClickHouse namespace would shadow ClickHouse.Driver for all engine code.
namespace QTickets.Engine.ClickHouse;

/// <summary>
/// <see cref="IClickHouseStore"/> over ClickHouse.Driver's HTTP client. Every table name is qualified with the
/// configured database (which may not exist before Initialize), so the connection names no database.
/// </summary>
public sealed class ClickHouseStore(QTicketsConfig config, IRunObserver observer) : IClickHouseStore
{
    public string Database { get; } = !string.IsNullOrWhiteSpace(config.ClickHouseDatabase) && IsIdentifier(config.ClickHouseDatabase)
        ? config.ClickHouseDatabase
        : throw new ArgumentException($"ClickHouse database name '{config.ClickHouseDatabase}' is not a plain identifier (letters, digits, _).");

    public string Endpoint { get; } = $"{config.ClickHouseUrl} as '{config.ClickHouseUser}', database {config.ClickHouseDatabase}";

    readonly IRunObserver _observer = observer;
    readonly int _port = config.ClickHousePort;
    readonly bool _loopback = config.ClickHouseHost is "localhost" ||
                              (System.Net.IPAddress.TryParse(config.ClickHouseHost.Trim('[', ']'), out var ip) && System.Net.IPAddress.IsLoopback(ip));
    readonly ClickHouseErrors _errors = new(config.ClickHouseUrl, config.ClickHouseUser, config.ClickHousePassword?.Reveal() ?? "");
    readonly ClickHouseClient _client = new(new ClickHouseClientSettings
    {
        Host = config.ClickHouseHost,
        Port = checked((ushort)config.ClickHousePort),
        Protocol = config.ClickHouseSecure ? "https" : "http",
        Username = config.ClickHouseUser,
        Password = config.ClickHousePassword?.Reveal() ?? "",
        SkipServerCertificateValidation = config.ClickHouseSecure && !config.ClickHouseVerifySsl,
        // The driver otherwise sends JSON settings that a readonly=1 profile refuses on every call.
        JsonReadMode = JsonReadMode.None,
        JsonWriteMode = JsonWriteMode.None,
        Timeout = TimeSpan.FromMinutes(5),
    });

    static bool IsIdentifier(string name) => name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    public async Task<string> GetDatabaseIdentityAsync(CancellationToken cancellation)
    {
        // A marker column and a text format: an answer from anything but ClickHouse (an HTML page with status 200)
        // cannot pass for it, where a typed read would fail somewhere inside the driver's decoder.
        const string marker = "qtickets-identity";
        var sql = $"SELECT '{marker}', hostName(), toString((SELECT any(uuid) FROM system.databases WHERE name = {Literal(Database)})) " +
                  "FORMAT TabSeparated";
        _observer.Verbose($"ClickHouse {Endpoint}: {sql}");
        string body;
        try
        {
            using var result = await _client.ExecuteRawResultAsync(sql, null, cancellation).ConfigureAwait(false);
            body = await result.ReadAsStringAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellation.IsCancellationRequested)
        {
            throw _errors.Translate(ex, "system.databases");
        }
        var fields = body.TrimEnd('\n').Split('\t');
        if (fields.Length != 3 || fields[0] != marker) throw _errors.NotClickHouse(body);
        // Ordinary databases (and those of old servers) have the zero UUID: the server's own name and port instead.
        return Guid.TryParse(fields[2], out var uuid) && uuid != Guid.Empty
            ? $"{Database}-{uuid:D}"
            : $"{Database}-{fields[1]}-{_port}";
    }

    public async Task ExecuteAsync(string statement, CancellationToken cancellation)
    {
        _observer.Verbose($"ClickHouse {Endpoint}: {Shorten(statement)}");
        try
        {
            await _client.ExecuteNonQueryAsync(statement, null, null, cancellation).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellation.IsCancellationRequested)
        {
            throw _errors.Translate(ex, TableOf(statement));
        }
    }

    async Task<object?> ScalarAsync(string sql, CancellationToken cancellation)
    {
        try
        {
            var value = await _client.ExecuteScalarAsync(sql, null, null, cancellation).ConfigureAwait(false);
            return value is DBNull ? null : value;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellation.IsCancellationRequested)
        {
            throw _errors.Translate(ex, TableOf(sql));
        }
    }

    async Task<long> CountAsync(string sql, CancellationToken cancellation) =>
        Convert.ToInt64(await ScalarAsync(sql, cancellation).ConfigureAwait(false), CultureInfo.InvariantCulture);

    async Task<List<object?[]>> RowsAsync(string sql, CancellationToken cancellation)
    {
        try
        {
            using var reader = await _client.ExecuteReaderAsync(sql, null, null, cancellation).ConfigureAwait(false);
            var rows = new List<object?[]>();
            while (await reader.ReadAsync(cancellation).ConfigureAwait(false))
            {
                var row = new object?[reader.FieldCount];
                reader.GetValues(row!);
                for (var i = 0; i < row.Length; i++) if (row[i] is DBNull) row[i] = null;
                rows.Add(row);
            }
            return rows;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellation.IsCancellationRequested)
        {
            throw _errors.Translate(ex, TableOf(sql));
        }
    }

    static string Shorten(string sql) => sql.Length <= 160 ? sql : sql[..157] + "...";

    static string? TableOf(string sql)
    {
        foreach (var marker in new[] { "INSERT INTO ", " FROM ", "TABLE IF NOT EXISTS ", "ALTER TABLE " })
        {
            var i = sql.IndexOf(marker, StringComparison.OrdinalIgnoreCase);
            if (i < 0) continue;
            var rest = sql[(i + marker.Length)..].TrimStart();
            var end = rest.IndexOfAny(new[] { ' ', '(', '\n' });
            return end < 0 ? rest : rest[..end];
        }
        return null;
    }

    static string Literal(string value) =>
        "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    public async Task<IReadOnlyList<SchemaMigration>> GetMigrationsAsync(SchemaOptions options, CancellationToken cancellation)
    {
        var applied = new Dictionary<int, DateTime>();
        if (await CountAsync($"SELECT count() FROM system.tables WHERE database = {Literal(Database)} AND name = {Literal(SchemaMigrations)}",
                cancellation).ConfigureAwait(false) > 0)
            foreach (var row in await RowsAsync($"SELECT version, max(applied_at) FROM {Database}.{SchemaMigrations} GROUP BY version",
                         cancellation).ConfigureAwait(false))
                applied[Convert.ToInt32(row[0], CultureInfo.InvariantCulture)] = (DateTime)row[1]!;
        return Schema.Migrations(Database, options)
            .Select(m => applied.TryGetValue(m.Version, out var at) ? m.AsApplied(at, "already applied") : m)
            .ToList();
    }

    public async Task<SchemaMigration> ApplyMigrationAsync(SchemaMigration migration, SchemaOptions options, CancellationToken cancellation)
    {
        if (migration.Applied) return migration;
        var outcome = "applied";
        if (migration.Version == 3 && !await OrdersNeedRekeyAsync(cancellation).ConfigureAwait(false))
            outcome = "nothing to migrate";
        else
            foreach (var statement in migration.Statements)
                await ExecuteAsync(statement, cancellation).ConfigureAwait(false);
        var md5 = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(string.Join(";\n", migration.Statements))));
        await ExecuteAsync($"INSERT INTO {Database}.{SchemaMigrations} (version, name, statements_md5) VALUES " +
                           $"({migration.Version}, {Literal(migration.Name)}, {Literal(md5)})", cancellation).ConfigureAwait(false);
        return migration.AsApplied(DateTime.Now, outcome);
    }

    /// <summary>Staging rows keyed by another recipe, or a Float64 revenue column: a database the legacy loader filled.</summary>
    async Task<bool> OrdersNeedRekeyAsync(CancellationToken cancellation)
    {
        var type = (string?)await ScalarAsync(
            $"SELECT type FROM system.columns WHERE database = {Literal(Database)} AND table = {Literal(OrdersStaging)} AND name = 'revenue'",
            cancellation).ConfigureAwait(false);
        if (type is not null && !type.StartsWith("Decimal", StringComparison.Ordinal)) return true;
        return await CountAsync($"SELECT count() FROM {Database}.{OrdersStaging} WHERE _dedup_key != {Schema.OrderKeySql}", cancellation)
            .ConfigureAwait(false) > 0;
    }

    public IReadOnlyList<string> GetGrantStatements(GrantPlan plan) => Schema.Grants(Database, plan);

    public async Task<IReadOnlyList<OptionalViewOutcome>> EnsureOptionalViewsAsync(CancellationToken cancellation)
    {
        var outcomes = new List<OptionalViewOutcome>();
        foreach (var view in Schema.OptionalViews(Database))
        {
            var missing = new List<string>();
            foreach (var (table, columns) in view.Requires)
            {
                var present = (await RowsAsync($"SELECT name FROM system.columns WHERE database = {Literal(Database)} AND table = {Literal(table)}",
                    cancellation).ConfigureAwait(false)).Select(r => (string)r[0]!).ToHashSet(StringComparer.Ordinal);
                if (present.Count == 0) missing.Add($"{table} does not exist");
                else if (columns.Where(c => !present.Contains(c)).ToList() is { Count: > 0 } lacking)
                    missing.Add($"{table} has no column {string.Join(", ", lacking)}");
            }
            if (missing.Count > 0)
            {
                outcomes.Add(new OptionalViewOutcome(view.Name, false, string.Join("; ", missing)));
                continue;
            }
            await ExecuteAsync(view.Ddl, cancellation).ConfigureAwait(false);
            outcomes.Add(new OptionalViewOutcome(view.Name, true, "reads " + string.Join(", ", view.Requires.Keys)));
        }
        return outcomes;
    }

    public async Task<LegacyWrites> RemoveLegacyWritesAsync(CancellationToken cancellation)
    {
        var foreign = $"_dedup_key != {Schema.OrderKeySql}";
        var days = await RowsAsync($"SELECT toString(toDate(sale_ts)), count() FROM {Database}.{OrdersStaging} WHERE {foreign} GROUP BY 1 ORDER BY 1",
            cancellation).ConfigureAwait(false);
        var staged = days.Sum(r => Convert.ToInt64(r[1], CultureInfo.InvariantCulture));
        var events = await CountAsync($"SELECT count() FROM {Database}.{Events} WHERE {Schema.LegacyCitySql}", cancellation).ConfigureAwait(false);
        var inventory = await CountAsync($"SELECT count() FROM {Database}.{InventoryLatest} WHERE {Schema.LegacyCitySql}", cancellation)
            .ConfigureAwait(false);
        // Deleted, not outranked: the legacy rows are keyed apart from this loader's, so no version of ours replaces
        // them, and they count cancelled tickets. The orders themselves are in this loader's rows.
        if (staged > 0) await ExecuteAsync($"DELETE FROM {Database}.{OrdersStaging} WHERE {foreign}", cancellation).ConfigureAwait(false);
        if (events > 0) await ExecuteAsync($"DELETE FROM {Database}.{Events} WHERE {Schema.LegacyCitySql}", cancellation).ConfigureAwait(false);
        if (inventory > 0) await ExecuteAsync($"DELETE FROM {Database}.{InventoryLatest} WHERE {Schema.LegacyCitySql}", cancellation).ConfigureAwait(false);
        return new LegacyWrites
        {
            StagingRows = staged, EventRows = events, InventoryRows = inventory,
            Days = days.Select(r => Day(r[0])).ToList(),
        };
    }

    public async Task SupersedeInventoryAsync(ulong version, CancellationToken cancellation)
    {
        var current = $"SELECT event_id, city FROM {Database}.{InventoryLatest} WHERE _ver = {version}";
        await ExecuteAsync($"INSERT INTO {Database}.{Inventory} (event_id, city, tickets_total, tickets_left, _ver) " +
                           $"SELECT event_id, city, ifNull(tickets_total, 0), ifNull(tickets_left, 0), _ver FROM {Database}.{InventoryLatest} " +
                           $"WHERE _ver = {version} SETTINGS insert_deduplicate = 0", cancellation).ConfigureAwait(false);
        // This run's snapshot is the current reading of its events, whatever version an earlier one carries.
        foreach (var table in new[] { InventoryLatest, Inventory })
            await ExecuteAsync($"DELETE FROM {Database}.{table} WHERE _ver != {version} AND (event_id, city) IN ({current})", cancellation)
                .ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<SchemaObject>> GetMissingObjectsAsync(IEnumerable<SchemaMigration> applied, CancellationToken cancellation)
    {
        var existing = (await RowsAsync($"SELECT name FROM system.tables WHERE database = {Literal(Database)}", cancellation).ConfigureAwait(false))
            .Select(r => (string)r[0]!).ToHashSet(StringComparer.Ordinal);
        return Schema.Objects(applied).Where(o => !existing.Contains(o.Name)).ToList();
    }

    public async Task<IReadOnlyList<TableColumn>> DescribeTableAsync(string table, CancellationToken cancellation)
    {
        if (!IsIdentifier(table))
            throw new ClickHouseStoreException(ClickHouseFailure.TableMissing, $"'{table}' is not a table name (letters, digits, _).", table: table);
        var rows = await RowsAsync(
            $"SELECT name, type FROM system.columns WHERE database = {Literal(Database)} AND table = {Literal(table)} " +
            "AND default_kind NOT IN ('MATERIALIZED', 'ALIAS', 'EPHEMERAL') ORDER BY position", cancellation).ConfigureAwait(false);
        return rows.Select(r => new TableColumn((string)r[0]!, (string)r[1]!)).ToList();
    }

    public ITableWriter<object?[]> OpenWriter(string table, IReadOnlyList<TableColumn> columns, WriteOptions options, IRunObserver observer)
    {
        var encoders = new ColumnEncoder[columns.Count];
        for (var i = 0; i < columns.Count; i++) encoders[i] = EncoderFor(table, columns[i]);
        return new TableWriter<object?[]>(_client, _errors, Database, table, new ValueArrayEncoder(columns, encoders), options, observer,
            options.Compress ?? !_loopback);
    }

    public async Task<ITableWriter<T>> OpenWriterAsync<T>(string table, WriteOptions options, IRunObserver observer, CancellationToken cancellation)
        where T : class
    {
        var columns = await DescribeTableAsync(table, cancellation).ConfigureAwait(false);
        if (columns.Count == 0)
            throw new ClickHouseStoreException(ClickHouseFailure.TableMissing,
                $"Table {Database}.{table} does not exist on {Endpoint}. Run Initialize-QTicketsClickHouse (as an administrator) to create it.",
                table: table);
        var encoder = new TypedRowEncoder<T>(columns, options.Omitted,
            lacking => new ClickHouseStoreException(ClickHouseFailure.ColumnMissing,
                $"Table {Database}.{table} on {Endpoint} has no column {string.Join(", ", lacking)}, which the module writes. " +
                "Run Initialize-QTicketsClickHouse to migrate the schema.", table: table, column: lacking[0]),
            column => EncoderFor(table, column));
        return new TableWriter<T>(_client, _errors, Database, table, encoder, options, observer, options.Compress ?? !_loopback);
    }

    /// <summary>The column's RowBinary encoder, or a failure naming the column, its type and the way around it.</summary>
    ColumnEncoder EncoderFor(string table, TableColumn column)
    {
        ColumnEncoder? encoder;
        Exception? inner = null;
        try { encoder = ColumnEncoder.For(column.Type); }
        catch (Exception ex) when (ex is ArgumentException or FormatException) { encoder = null; inner = ex; }
        if (encoder is not null) return encoder;
        var why = inner?.Message ?? "the writer has no RowBinary encoding for that type";
        throw _errors.TypeMismatch(inner ?? new NotSupportedException(why), $"{Database}.{table}", column.Name, null,
            $"column '{column.Name}' has type {column.Type}: {why}. Leave it out with -ColumnMap (it then takes its DEFAULT)");
    }

    public async Task<DailyFactsResult> RecomputeDailyFactsAsync(IReadOnlyCollection<DateOnly> days, ulong version, CancellationToken cancellation)
    {
        if (days.Count == 0) return new DailyFactsResult { Version = version };
        // Above every stored version, whatever clock wrote it: the rows written now must replace them.
        version = Math.Max(version, checked(Math.Max(
            await MaxVersionAsync($"{Database}.{SalesDaily}", cancellation).ConfigureAwait(false),
            await MaxVersionAsync($"{Database}.{SalesUtmDaily}", cancellation).ConfigureAwait(false)) + 1));
        var list = DailyFacts.DayList(days);
        var statements = DailyFacts.ReplaceStatements(Database, list, version);
        foreach (var s in statements) await ExecuteAsync(s, cancellation).ConfigureAwait(false);
        // What now stands for those days (the rows just written are the latest versions).
        var daily = await CountAsync($"SELECT count() FROM {Database}.{SalesDaily} WHERE sales_date IN ({list}) AND _ver = {version}", cancellation)
            .ConfigureAwait(false);
        var utm = await CountAsync($"SELECT count() FROM {Database}.{SalesUtmDaily} WHERE sales_date IN ({list}) AND _ver = {version}", cancellation)
            .ConfigureAwait(false);
        return new DailyFactsResult { Days = days.Distinct().Order().ToList(), SalesDailyRows = daily, SalesUtmDailyRows = utm, Version = version };
    }

    public Task<ulong> GetStagedVersionAsync(CancellationToken cancellation) => MaxVersionAsync($"{Database}.{OrdersStaging}", cancellation);

    public async Task<IReadOnlyList<StagedOrder>> GetStagedOrdersAsync(IReadOnlyCollection<long> orderIds, CancellationToken cancellation)
    {
        if (orderIds.Count == 0) return Array.Empty<StagedOrder>();
        var keys = string.Join(", ", orderIds.Select(id => "'" + QTickets.Core.Transform.DedupKey.ForOrder(id) + "'"));
        var rows = await RowsAsync(
            $"SELECT order_id, max(_ver), argMax(payload_json, _ver), toString(toDate(argMax(sale_ts, _ver))) FROM {Database}.{OrdersStaging} " +
            $"WHERE _dedup_key IN ({keys}) GROUP BY order_id", cancellation).ConfigureAwait(false);
        return rows.Select(r => new StagedOrder((string)r[0]!, Convert.ToUInt64(r[1], CultureInfo.InvariantCulture), (string)r[2]!, Day(r[3])))
            .ToList();
    }

    /// <summary>The highest _ver of the rows <paramref name="from"/> names (a table, with a WHERE if need be); 0 for none.</summary>
    async Task<ulong> MaxVersionAsync(string from, CancellationToken cancellation) =>
        Convert.ToUInt64(await ScalarAsync($"SELECT max(_ver) FROM {from}", cancellation).ConfigureAwait(false) ?? 0UL, CultureInfo.InvariantCulture);

    public Task<IReadOnlyList<DateOnly>> GetSaleDaysAsync(ulong version, CancellationToken cancellation) =>
        DaysAsync($"SELECT DISTINCT toString(toDate(sale_ts)) FROM {Database}.{OrdersStaging} WHERE _ver = {version} ORDER BY 1", cancellation);

    public Task<IReadOnlyList<DateOnly>> GetDaysWithoutFactsAsync(CancellationToken cancellation) =>
        // Staging without FINAL: an order's sale day never changes (payed_at is set once), so any version names it.
        DaysAsync(
            $"SELECT toString(d) FROM (SELECT DISTINCT toDate(sale_ts) AS d FROM {Database}.{OrdersStaging}) " +
            $"WHERE d NOT IN (SELECT DISTINCT sales_date FROM {Database}.{SalesDaily}) " +
            $"OR d NOT IN (SELECT DISTINCT sales_date FROM {Database}.{SalesUtmDaily}) " +
            // More than one version of a day: a recomputation stopped between its insert and its delete, or two that
            // ran at once with the same version (the loader and the webhook receiver); plain sums count it twice.
            $"OR d IN (SELECT sales_date FROM {Database}.{SalesDaily} GROUP BY sales_date HAVING uniqExact(_ver) > 1) " +
            $"OR d IN (SELECT sales_date FROM {Database}.{SalesUtmDaily} GROUP BY sales_date HAVING uniqExact(_ver) > 1) ORDER BY d",
            cancellation);

    async Task<IReadOnlyList<DateOnly>> DaysAsync(string sql, CancellationToken cancellation) =>
        (await RowsAsync(sql, cancellation).ConfigureAwait(false)).Select(r => Day(r[0])).ToList();

    static DateOnly Day(object? text) => DateOnly.ParseExact((string)text!, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    public async Task RecordRunAsync(LoadRun run, CancellationToken cancellation)
    {
        // The legacy vocabulary the dashboards read ('ok', 'error'), plus 'partial' and 'stopped' (freshness ignores it).
        if (run.Status is not (LoadStatus.Ok or LoadStatus.Partial or LoadStatus.Stopped or LoadStatus.Error))
            throw new ArgumentException($"LoadRun.Status must be Ok, Partial, Stopped or Error, not {run.Status}.");
        await WriteRowsAsync(JobRuns, new[]
        {
            new JobRunRow(run.Job, run.RunId, run.StartedAt, run.FinishedAt, StatusText.Of(run.Status), run.RowsProcessed,
                _errors.Scrub(run.Message), _errors.Scrub(run.Metrics)),
        }, cancellation).ConfigureAwait(false);
        _observer.Verbose($"Recorded run {run.RunId} of {run.Job} ({run.Status}, {run.RowsProcessed} rows) in {Database}.{JobRuns}");
    }

    const string WatermarkName = "watermark";

    public async Task<DateTimeOffset?> ReadWatermarkAsync(string job, CancellationToken cancellation)
    {
        var value = (string?)await ScalarAsync(
            $"SELECT argMax(value, _ver) FROM {Database}.{LoaderState} WHERE job = {Literal(job)} AND name = '{WatermarkName}' HAVING count() > 0",
            cancellation).ConfigureAwait(false);
        return string.IsNullOrEmpty(value) ? null : DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
    }

    public Task WriteWatermarkAsync(string job, DateTimeOffset watermark, CancellationToken cancellation) =>
        WriteStateAsync(job, WatermarkName, watermark.ToString("O", CultureInfo.InvariantCulture), cancellation);

    public Task ClearWatermarkAsync(string job, CancellationToken cancellation) => WriteStateAsync(job, WatermarkName, "", cancellation);

    async Task WriteStateAsync(string job, string name, string value, CancellationToken cancellation)
    {
        // Microseconds since the epoch, so two writes within one second still order; and above every version
        // stored for it, so a value written on a clock ahead of this one never outranks this write.
        var version = checked((ulong)(DateTime.UtcNow - DateTime.UnixEpoch).Ticks / 10);
        version = Math.Max(version, checked(await MaxVersionAsync(
            $"{Database}.{LoaderState} WHERE job = {Literal(job)} AND name = {Literal(name)}", cancellation).ConfigureAwait(false) + 1));
        await WriteRowsAsync(LoaderState, new[] { new StateRow(job, name, value, DateTime.UtcNow, version) }, cancellation).ConfigureAwait(false);
    }

    public async Task<(IReadOnlyList<RejectedOrder> Orders, ulong LastVersion)> ReadRejectedOrdersAsync(string job, CancellationToken cancellation)
    {
        var last = await MaxVersionAsync($"{Database}.{RejectedOrders}", cancellation).ConfigureAwait(false);
        // The latest version of each order (a person's ALTER ... UPDATE keeps the version it changed).
        var rows = await RowsAsync(
            $"SELECT order_id, argMax(problem, _ver), argMax(state, _ver) AS s, toString(argMax(first_seen, _ver)), toString(argMax(last_seen, _ver)), " +
            $"argMax(attempts, _ver), argMax(note, _ver), max(_ver) FROM {Database}.{RejectedOrders} WHERE job = {Literal(job)} " +
            $"GROUP BY order_id HAVING s != '{RejectedOrderState.Loaded}' ORDER BY order_id", cancellation).ConfigureAwait(false);
        return (rows.Select(r => new RejectedOrder
        {
            Job = job, OrderId = (string)r[0]!, Problem = (string)r[1]!, State = (string)r[2]!,
            FirstSeen = WallTime((string?)r[3]) ?? default, LastSeen = WallTime((string?)r[4]) ?? default,
            Attempts = Convert.ToUInt32(r[5], CultureInfo.InvariantCulture), Note = (string?)r[6] ?? "",
            Version = Convert.ToUInt64(r[7], CultureInfo.InvariantCulture),
        }).ToList(), last);
    }

    public async Task WriteRejectedOrdersAsync(IReadOnlyList<RejectedOrder> rows, CancellationToken cancellation)
    {
        if (rows.Count == 0) return;
        await WriteRowsAsync(RejectedOrders, rows.Select(r => new RejectedOrderRow(r.Job, r.OrderId, _errors.Scrub(r.Problem), r.State,
            r.FirstSeen, r.LastSeen, r.Attempts, r.RunId, r.Note, r.Version)), cancellation).ConfigureAwait(false);
    }

    async Task WriteRowsAsync<T>(string table, IEnumerable<T> rows, CancellationToken cancellation) where T : class
    {
        await using var writer = await OpenWriterAsync<T>(table, new WriteOptions { BatchSize = 10_000 }, NullRunObserver.Instance, cancellation)
            .ConfigureAwait(false);
        foreach (var row in rows) await writer.AddAsync(row, cancellation).ConfigureAwait(false);
        await writer.CompleteAsync(cancellation).ConfigureAwait(false);
    }

    // The store's own rows, named like their tables' columns (typed rows: see RowEncoder).
    sealed record JobRunRow(string job, Guid run_id, DateTime started_at, DateTime finished_at, string status, ulong rows_processed,
        string message, string metrics);

    sealed record StateRow(string job, string name, string value, DateTime updated_at, ulong _ver);

    sealed record RejectedOrderRow(string job, string order_id, string problem, string state, DateTime first_seen, DateTime last_seen,
        uint attempts, Guid run_id, string note, ulong _ver);

    public Task<IReadOnlyList<SmokeCheckResult>> RunSmokeChecksAsync(string job, CancellationToken cancellation) =>
        new SmokeChecks(Database, ScalarAsync, RowsAsync).RunAsync(job, cancellation);

    public async Task<FreshnessFacts> GetFreshnessAsync(string job, DateTime runsSince, CancellationToken cancellation)
    {
        // toString keeps the wall-clock value as written; an empty table gives '' rather than 1970-01-01. A run stopped on
        // purpose (status 'stopped': Ctrl+C, SIGINT) is no evidence either way: it counts neither as a run nor as a failure.
        var sale = (string?)await ScalarAsync(
            $"SELECT if(count() = 0, '', toString(max(sale_ts))) FROM {Database}.{OrdersStaging} FINAL WHERE tickets_sold > 0",
            cancellation).ConfigureAwait(false);
        var inventory = (string?)await ScalarAsync(
            $"SELECT if(count() = 0, '', toString(max(snapshot_ts))) FROM {Database}.{InventoryLatest} FINAL", cancellation).ConfigureAwait(false);
        var since = Literal(runsSince.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        var runs = (await RowsAsync(
            $"SELECT count(), countIf(status != 'ok') FROM {Database}.{JobRuns} WHERE job = {Literal(job)} AND status != 'stopped' AND started_at >= toDateTime({since})",
            cancellation).ConfigureAwait(false)).Single();
        var last = await RowsAsync(
            $"SELECT status, toString(started_at) FROM {Database}.{JobRuns} WHERE job = {Literal(job)} AND status != 'stopped' ORDER BY started_at DESC LIMIT 1",
            cancellation).ConfigureAwait(false);
        var lastOk = (string?)await ScalarAsync(
            $"SELECT if(count() = 0, '', toString(max(started_at))) FROM {Database}.{JobRuns} WHERE job = {Literal(job)} AND status = 'ok'",
            cancellation).ConfigureAwait(false);
        var rejected = await CountAsync(
            $"SELECT count() FROM (SELECT argMax(state, _ver) AS s FROM {Database}.{RejectedOrders} WHERE job = {Literal(job)} GROUP BY order_id) " +
            $"WHERE s = '{RejectedOrderState.Open}'", cancellation).ConfigureAwait(false);
        return new FreshnessFacts
        {
            OpenRejectedOrders = rejected,
            NewestSale = WallTime(sale),
            NewestInventory = WallTime(inventory),
            Runs = Convert.ToInt64(runs[0], CultureInfo.InvariantCulture),
            FailedRuns = Convert.ToInt64(runs[1], CultureInfo.InvariantCulture),
            LastRunStatus = last.Count == 0 ? null : (string?)last[0][0],
            LastRunAt = last.Count == 0 ? null : WallTime((string?)last[0][1]),
            LastOkRunAt = WallTime(lastOk),
        };
    }

    static DateTime? WallTime(string? text) => string.IsNullOrEmpty(text)
        ? null
        : DateTime.ParseExact(text, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None);

    public Task<IReadOnlyList<DailyTotals>> GetStagingTotalsAsync(DateOnly from, DateOnly to, IReadOnlyCollection<string> eventIds, CancellationToken cancellation) =>
        TotalsAsync($"SELECT toString(toDate(sale_ts)) AS d, event_id AS e, countIf(tickets_sold > 0), sum(toUInt64(tickets_sold)), " +
                    $"toString(sum(revenue)), max(_ver) FROM {Database}.{OrdersStaging} FINAL " +
                    $"WHERE toDate(sale_ts) BETWEEN {DateLiteral(from)} AND {DateLiteral(to)}{EventFilter(eventIds)} GROUP BY d, e ORDER BY d, e",
            cancellation);

    public Task<IReadOnlyList<DailyTotals>> GetFactsTotalsAsync(DateOnly from, DateOnly to, IReadOnlyCollection<string> eventIds, CancellationToken cancellation) =>
        // Float64 revenue: rounded to kopecks here, summed over the cities of the key.
        TotalsAsync($"SELECT toString(sales_date) AS d, event_id AS e, toUInt64(0), sum(toUInt64(tickets_sold)), " +
                    $"toString(round(sum(revenue), 2)), max(_ver) FROM {Database}.{SalesDaily} FINAL " +
                    $"WHERE sales_date BETWEEN {DateLiteral(from)} AND {DateLiteral(to)}{EventFilter(eventIds)} GROUP BY d, e ORDER BY d, e",
            cancellation);

    async Task<IReadOnlyList<DailyTotals>> TotalsAsync(string sql, CancellationToken cancellation)
    {
        _observer.Verbose($"ClickHouse {Endpoint}: {Shorten(sql)}");
        var rows = await RowsAsync(sql, cancellation).ConfigureAwait(false);
        return rows.Select(r => new DailyTotals(
            Day(r[0]),
            (string)r[1]!,
            Convert.ToInt64(r[2], CultureInfo.InvariantCulture),
            Convert.ToInt64(r[3], CultureInfo.InvariantCulture),
            decimal.Parse((string)r[4]!, NumberStyles.Float, CultureInfo.InvariantCulture),
            Convert.ToUInt64(r[5], CultureInfo.InvariantCulture))).ToList();
    }

    static string DateLiteral(DateOnly day) => "toDate('" + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "')";

    static string EventFilter(IReadOnlyCollection<string> eventIds) =>
        eventIds.Count == 0 ? "" : " AND event_id IN (" + string.Join(", ", eventIds.Select(Literal)) + ")";

    public void Dispose() => _client.Dispose();
}
