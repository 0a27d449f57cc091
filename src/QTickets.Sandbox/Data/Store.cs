using QTickets.Sandbox.Json;

namespace QTickets.Sandbox.Data;

/// <summary>What the API serves: either a generated <see cref="World"/> or the genuine fixture pages.</summary>
internal sealed class Store
{
    public World? World { get; }
    public string Mode => World is null ? "fixtures" : "generated";
    public object Sync { get; }
    public IResourceSet Orders { get; }
    public IResourceSet Events { get; }
    public IResourceSet Clients { get; }
    public IResourceSet Discounts { get; }
    public IResourceSet PromoCodes { get; }
    /// <summary>Answers of recent list queries (used under <see cref="Sync"/>): page k of a query is a slice.</summary>
    public QueryCache QueryCache { get; } = new();
    /// <summary>paging.total overrides per resource name ("orders", "events"...), for byte equality with captures.</summary>
    public Dictionary<string, int> TotalOverrides { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>paging.perPage to report per resource name, whatever the pages hold (a lie for client tests).</summary>
    public Dictionary<string, int> PerPageOverrides { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>Resources whose list answers carry no paging at all (a lie for client tests).</summary>
    public HashSet<string> NoPaging { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Store(World world)
    {
        World = world;
        Sync = world.Sync;
        Orders = world.OrdersSet;
        Events = world.EventsSet;
        Clients = world.ClientsSet;
        Discounts = world.DiscountsSet;
        PromoCodes = world.PromoCodesSet;
    }

    private Store(NodeSet orders, NodeSet events, NodeSet clients, NodeSet discounts, NodeSet promo)
    {
        Sync = new object();
        Orders = orders; Events = events; Clients = clients; Discounts = discounts; PromoCodes = promo;
    }

    /// <summary>
    /// Fixture mode: orders from orders_page1.json (+ order_by_id.json, which is what /orders/{id} serves for
    /// that id: production's single-order form differs slightly from the list form), events, clients,
    /// discounts and promo codes from their first pages. Missing files give empty lists.
    /// </summary>
    public static Store FromFixtures(string dir)
    {
        static List<IDoc> Page(string path)
        {
            if (!File.Exists(path)) return [];
            var root = JNode.Parse(File.ReadAllBytes(path));
            return root["data"] is JArray a ? a.Items.OfType<JObject>().Select(o => (IDoc)new NodeDoc(o)).ToList() : [];
        }
        var orders = new NodeSet("Order", 50, Page(Path.Combine(dir, "orders_page1.json")), keepOrder: true);
        var byId = Path.Combine(dir, "order_by_id.json");
        if (File.Exists(byId) && JNode.Parse(File.ReadAllBytes(byId))["data"] is JObject one)
            orders.OverrideById(new NodeDoc(one));
        return new Store(orders,
            new NodeSet("Event", 10, Page(Path.Combine(dir, "events_page1.json")), keepOrder: true),
            new NodeSet("Client", 100, Page(Path.Combine(dir, "clients_page1.json")), keepOrder: true),
            new NodeSet("Discount", 100, Page(Path.Combine(dir, "discounts_page1.json")), keepOrder: true),
            new NodeSet("PromoCode", 500, Page(Path.Combine(dir, "promo_codes_page1.json")), keepOrder: true));
    }
}
