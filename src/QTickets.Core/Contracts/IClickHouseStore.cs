namespace QTickets.Core.Contracts;

/// <summary>
/// The ClickHouse side of a load: schema, batched inserts, daily facts, job runs and the loader's state. One
/// instance holds one HTTP connection pool for one user; every method takes a cancellation token so Ctrl+C and
/// the scheduled loader's deadline stop it. Failures are <see cref="ClickHouseStoreException"/>s naming the
/// host, user, table or column and the fix; no message ever carries the password.
/// </summary>
public interface IClickHouseStore : IDisposable
{
    /// <summary>"http://host:port as user, database db": what messages name (never the password).</summary>
    string Endpoint { get; }

    string Database { get; }

    /// <summary>
    /// The database as the server knows it, whatever the host is called (localhost, 127.0.0.1, a DNS name): its UUID
    /// (Atomic databases), else the server's host name, the port and the database name. The run lock is keyed on it.
    /// This is the first call of a load, so an answer that is not ClickHouse's (a web server on the port) fails here
    /// as <see cref="ClickHouseFailure.NotClickHouse"/>.
    /// </summary>
    Task<string> GetDatabaseIdentityAsync(CancellationToken cancellation);

    /// <summary>Every migration, in order, with <see cref="SchemaMigration.Applied"/> set from the version table.</summary>
    Task<IReadOnlyList<SchemaMigration>> GetMigrationsAsync(SchemaOptions options, CancellationToken cancellation);

    /// <summary>Runs one pending migration's statements and records it; a no-op for one already applied.</summary>
    Task<SchemaMigration> ApplyMigrationAsync(SchemaMigration migration, SchemaOptions options, CancellationToken cancellation);

    /// <summary>Creates or replaces each legacy view that reads other integrations' tables, where those exist; says which it skipped and why.</summary>
    Task<IReadOnlyList<OptionalViewOutcome>> EnsureOptionalViewsAsync(CancellationToken cancellation);

    /// <summary>
    /// Removes what a legacy loader still running wrote (<see cref="LegacyWrites"/>); the caller recomputes the
    /// facts of the days it returns. Nothing found is the normal case.
    /// </summary>
    Task<LegacyWrites> RemoveLegacyWritesAsync(CancellationToken cancellation);

    /// <summary>
    /// After the inventory snapshot of <paramref name="version"/> is written: the older rows of the same events and
    /// cities are deleted from fact_qtickets_inventory_latest, and fact_qtickets_inventory gets the same figures, so a
    /// plain read (no FINAL) of either holds one row per event and city.
    /// </summary>
    Task SupersedeInventoryAsync(ulong version, CancellationToken cancellation);

    /// <summary>
    /// The tables and views that <paramref name="applied"/> migrations create (<see cref="SchemaObject"/>) and
    /// that do not exist in the database, in the order the migrations create them. A user sees only the tables it
    /// holds a privilege on, so for the loader's user the others read as missing.
    /// </summary>
    Task<IReadOnlyList<SchemaObject>> GetMissingObjectsAsync(IEnumerable<SchemaMigration> applied, CancellationToken cancellation);

    /// <summary>GRANT statements for the two roles (<see cref="GrantPlan"/> says why each exists).</summary>
    IReadOnlyList<string> GetGrantStatements(GrantPlan plan);

    Task ExecuteAsync(string statement, CancellationToken cancellation);

    /// <summary>Column names and ClickHouse types of a table, in table order; empty if the table does not exist.</summary>
    Task<IReadOnlyList<TableColumn>> DescribeTableAsync(string table, CancellationToken cancellation);

    /// <summary>
    /// A streaming writer for one table: rows go in through a bounded channel (so the producer slows down rather
    /// than buffering the input), batches go out with an insert_deduplication_token hashed from their content.
    /// </summary>
    ITableWriter<object?[]> OpenWriter(string table, IReadOnlyList<TableColumn> columns, WriteOptions options, IRunObserver observer);

    /// <summary>
    /// A streaming writer of typed rows: the columns are <typeparamref name="T"/>'s public properties (less those
    /// marked <see cref="NotStoredAttribute"/>), named like the table's; a property the table lacks fails here, before
    /// any row, naming the fix. Values go to RowBinary through accessors bound once, without boxing.
    /// </summary>
    Task<ITableWriter<T>> OpenWriterAsync<T>(string table, WriteOptions options, IRunObserver observer, CancellationToken cancellation) where T : class;

    /// <summary>
    /// Recomputes fact_qtickets_sales_daily and fact_qtickets_sales_utm_daily for <paramref name="days"/> from
    /// staging FINAL (whole days, so a short load window never leaves a partial sum); a key that lost all its
    /// orders gets a zero row. Returns the fact rows written and their version: <paramref name="version"/>, or one
    /// above the highest version either facts table holds when that is higher, so a recomputation always
    /// replaces the rows before it, even rows a clock ahead of this one wrote.
    /// </summary>
    Task<DailyFactsResult> RecomputeDailyFactsAsync(IReadOnlyCollection<DateOnly> days, ulong version, CancellationToken cancellation);

    /// <summary>The distinct sale days (toDate(sale_ts)) of staging rows with _ver = <paramref name="version"/>.</summary>
    Task<IReadOnlyList<DateOnly>> GetSaleDaysAsync(ulong version, CancellationToken cancellation);

    /// <summary>
    /// The sale days (toDate(sale_ts)) that have orders in staging but no row in fact_qtickets_sales_daily or in
    /// fact_qtickets_sales_utm_daily (facts lost with a dropped table), or more than one version in either (a
    /// recomputation stopped between inserting the day's new sums and deleting the old ones): to be recomputed.
    /// </summary>
    Task<IReadOnlyList<DateOnly>> GetDaysWithoutFactsAsync(CancellationToken cancellation);

    /// <summary>Appends a meta_job_runs row (legacy columns; status 'ok', 'partial' or 'error').</summary>
    Task RecordRunAsync(LoadRun run, CancellationToken cancellation);

    /// <summary>The highest _ver in the orders' staging table: 0 when it holds no order.</summary>
    Task<ulong> GetStagedVersionAsync(CancellationToken cancellation);

    /// <summary>
    /// The row staging holds for each of <paramref name="orderIds"/> that it holds at all (its highest _ver): the
    /// webhook receiver compares a delivered state with it. Looked up by _dedup_key, the table's key.
    /// </summary>
    Task<IReadOnlyList<StagedOrder>> GetStagedOrdersAsync(IReadOnlyCollection<long> orderIds, CancellationToken cancellation);

    /// <summary>The last watermark written for <paramref name="job"/>, or null before the first load.</summary>
    Task<DateTimeOffset?> ReadWatermarkAsync(string job, CancellationToken cancellation);

    /// <summary>
    /// Stores the watermark under a version above every one stored for it (the clock's microseconds, or the
    /// highest stored plus one), so a watermark written on a clock ahead never outranks the later ones.
    /// </summary>
    Task WriteWatermarkAsync(string job, DateTimeOffset watermark, CancellationToken cancellation);

    /// <summary>
    /// The latest row of every order of <paramref name="job"/> in qtickets_rejected_orders that has not loaded
    /// (open, or closed by a person), and the highest version in the table (0 when empty).
    /// </summary>
    Task<(IReadOnlyList<RejectedOrder> Orders, ulong LastVersion)> ReadRejectedOrdersAsync(string job, CancellationToken cancellation);

    /// <summary>Appends rows to qtickets_rejected_orders (each replaces the order's earlier rows by its higher version).</summary>
    Task WriteRejectedOrdersAsync(IReadOnlyList<RejectedOrder> rows, CancellationToken cancellation);

    /// <summary>Forgets the watermark (stores an empty one, read as none): the next run is a first run, a backfill.</summary>
    Task ClearWatermarkAsync(string job, CancellationToken cancellation);

    /// <summary>The legacy smoke checks, one result each.</summary>
    Task<IReadOnlyList<SmokeCheckResult>> RunSmokeChecksAsync(string job, CancellationToken cancellation);

    /// <summary>
    /// Per sale day (toDate(sale_ts)) in [<paramref name="from"/>, <paramref name="to"/>] and event, from staging
    /// FINAL: orders with a live ticket (tickets_sold &gt; 0), tickets, revenue and the highest _ver. Only
    /// <paramref name="eventIds"/> when any are given. Read-only.
    /// </summary>
    Task<IReadOnlyList<QTickets.Core.Contracts.DailyTotals>> GetStagingTotalsAsync(DateOnly from, DateOnly to, IReadOnlyCollection<string> eventIds, CancellationToken cancellation);

    /// <summary>The same days from fact_qtickets_sales_daily FINAL, summed over cities (PaidOrders is 0: the facts count no orders).</summary>
    Task<IReadOnlyList<QTickets.Core.Contracts.DailyTotals>> GetFactsTotalsAsync(DateOnly from, DateOnly to, IReadOnlyCollection<string> eventIds, CancellationToken cancellation);

    // Monitoring (Test-QTicketsFreshness). Reads staging, the inventory and meta_job_runs: the reader's
    // privileges, more than the writer's grants give.

    /// <summary>
    /// The newest sale and inventory snapshot, and <paramref name="job"/>'s runs started at or after
    /// <paramref name="runsSince"/> (a wall-clock time like meta_job_runs.started_at), failed ones counted apart.
    /// </summary>
    Task<FreshnessFacts> GetFreshnessAsync(string job, DateTime runsSince, CancellationToken cancellation);
}

/// <summary>
/// Marks a property of a row type that is not a column. Every other public property of a type written with
/// <see cref="IClickHouseStore.OpenWriterAsync{T}"/> is one, named like the column, so the column list comes from the
/// type and a rename is a compile-time or first-write error, never a silently empty column.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class NotStoredAttribute : Attribute;

/// <summary>
/// Marks a column whose value the writer reads from another property of the row, public or not: the public one is
/// the form people and PowerShell read (a payload's JSON text), the other the form the writer sends (its UTF-8 bytes,
/// never turned into a string on the loader's path).
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class StoredFromAttribute(string property) : Attribute
{
    public string Property { get; } = property;
}

/// <summary>One table's streaming insert of typed rows: each row is encoded through accessors bound once per writer.</summary>
public interface ITableWriter<in T> : IAsyncDisposable
{
    /// <summary>Queues one row; waits while the channel is full.</summary>
    ValueTask AddAsync(T row, CancellationToken cancellation);

    /// <summary>Flushes the last batch, waits for every insert, and tells what was written.</summary>
    Task<WriteResult> CompleteAsync(CancellationToken cancellation);
}
