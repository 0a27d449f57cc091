using QTickets.Core.Configuration;
using QTickets.Core.Contracts;
using QTickets.Core.Json;
using QTickets.Engine.ClickHouse;
using QTickets.Tests.Shared;
using QTickets.Core.Transform;

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

    /// <summary>Writes typed rows through the store's writer exactly as the loader does (columns from the row type).</summary>
    public static WriteResult Write<T>(ClickHouseStore store, string table, IEnumerable<T> rows, int batchSize = 1000,
        IRunObserver? observer = null, string? scope = null) where T : class
    {
        var writer = store.OpenWriterAsync<T>(table, new WriteOptions { BatchSize = batchSize, DeduplicationScope = scope },
            observer ?? NullRunObserver.Instance, default).GetAwaiter().GetResult();
        try
        {
            foreach (var row in rows) writer.AddAsync(row, default).AsTask().GetAwaiter().GetResult();
            return writer.CompleteAsync(default).GetAwaiter().GetResult();
        }
        finally
        {
            writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
