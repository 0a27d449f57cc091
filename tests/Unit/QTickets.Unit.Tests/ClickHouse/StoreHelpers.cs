using QTickets.Configuration;
using QTickets.Contracts;
using QTickets.Engine.Storage;
using QTickets.Store;
using QTickets.Tests.Shared;
using QTickets.Transform;

namespace QTickets.Unit.Tests.ClickHouse;

/// <summary>Stores and rows for the ClickHouse tests, all against the fixture's own database.</summary>
internal static class StoreHelpers
{
    public static ClickHouseStore Admin(TestClickHouse ch, IRunObserver? observer = null) =>
        As(ch, ch.AdminUser, ch.AdminPassword, observer);

    public static ClickHouseStore As(TestClickHouse ch, string user, string password, IRunObserver? observer = null, int? port = null) =>
        new(new QTicketsConfig
        {
            ClickHouseHost = ch.Host, ClickHousePort = port ?? ch.Port, ClickHouseDatabase = ch.Database,
            ClickHouseUser = user, ClickHousePassword = new Secret(password),
        }, observer ?? NullRunObserver.Instance);

    public static void Initialize(ClickHouseStore store, SchemaOptions? options = null)
    {
        options ??= SchemaOptions.Single;
        foreach (var m in store.GetMigrationsAsync(options, default).GetAwaiter().GetResult())
            store.ApplyMigrationAsync(m, options, default).GetAwaiter().GetResult();
    }

    public static SalesRow Sale(long orderId, DateTime saleTs, uint tickets, decimal revenue, ulong version,
        string eventId = "33", string city = "москва", string utmSource = "vk") => new()
    {
        order_id = orderId.ToString(System.Globalization.CultureInfo.InvariantCulture), event_id = eventId, city = city,
        utm_source = utmSource, utm_medium = "cpc", sale_ts = saleTs, tickets_sold = tickets, revenue = revenue,
        currency = "RUB", payload_json = "{}", _ver = version, _dedup_key = DedupKey.ForOrder(orderId),
    };

    /// <summary>Writes rows through the store's writer exactly as the cmdlet does (RowMap over DESCRIBE).</summary>
    public static WriteResult Write<T>(ClickHouseStore store, string table, IEnumerable<T> rows, int batchSize = 1000,
        System.Collections.IDictionary? columnMap = null, IRunObserver? observer = null, string? scope = null) where T : notnull
    {
        var columns = store.DescribeTableAsync(table, default).GetAwaiter().GetResult();
        RowMap? map = null;
        ITableWriter? writer = null;
        try
        {
            foreach (var row in rows)
            {
                map ??= RowMap.Create(table, columns, row, columnMap);
                writer ??= store.OpenWriter(table, map.Columns, new WriteOptions { BatchSize = batchSize, DeduplicationScope = scope }, observer ?? NullRunObserver.Instance);
                writer.AddAsync(map.Values(row), default).AsTask().GetAwaiter().GetResult();
            }
            return writer?.CompleteAsync(default).GetAwaiter().GetResult() ?? new WriteResult { Table = table };
        }
        finally
        {
            writer?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
