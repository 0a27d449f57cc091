namespace QTickets.Core.Contracts;

/// <summary>
/// Table names of the legacy schema plus the loader's own state.
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
    /// <summary>The latest inventory per event and city without snapshot time or name (the legacy's sheets-era fact), filled from each snapshot.</summary>
    public const string Inventory = "fact_qtickets_inventory";
    /// <summary>The legacy's buyers table: kept empty, customers' personal data is never stored.</summary>
    public const string Clients = "stg_qtickets_api_clients_raw";
    public const string PriceShades = "stg_qtickets_api_price_shades_raw";
    public const string Discounts = "stg_qtickets_api_discounts_raw";
    public const string PromoCodes = "stg_qtickets_api_promo_codes_raw";
    public const string Barcodes = "stg_qtickets_api_barcodes_raw";
    public const string PartnerTickets = "stg_qtickets_api_partner_tickets_raw";
}
