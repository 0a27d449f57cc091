namespace QTickets.Core.Contracts;

/// <summary>
/// Table names of the legacy schema plus the loader's own state, and which row type goes where,
/// so Write-QTicketsClickHouse needs no -Table for the module's own rows. Row types are matched by name: the
/// transform's types name their properties like these tables' columns.
/// </summary>
public static class KnownTables
{
    public const string OrdersStaging = "stg_qtickets_api_orders_raw";
    public const string InventoryStaging = "stg_qtickets_api_inventory_raw";
    public const string Events = "dim_events";
    public const string SalesDaily = "fact_qtickets_sales_daily";
    public const string SalesUtmDaily = "fact_qtickets_sales_utm_daily";
    public const string InventoryLatest = "fact_qtickets_inventory_latest";
    public const string JobRuns = "meta_job_runs";
    public const string PlanSales = "plan_sales";
    public const string SchemaMigrations = "qtickets_schema_migrations";
    public const string LoaderState = "qtickets_loader_state";
    /// <summary>Orders the loader could not load, retried by id until they load or a person marks them ignored.</summary>
    public const string RejectedOrders = "qtickets_rejected_orders";

    static readonly Dictionary<string, string> s_byTypeName = new(StringComparer.Ordinal)
    {
        ["QTickets.Core.Transform.SalesRow"] = OrdersStaging,
        ["QTickets.Core.Transform.InventoryRow"] = InventoryStaging,
    };

    /// <summary>The table a row of this type belongs in, or null (then -Table is required).</summary>
    public static string? ForType(Type type) => s_byTypeName.GetValueOrDefault(type.FullName ?? "");
}
