using System.Text.Json.Serialization;

namespace QTickets.Benchmarks;

// The floor's target: only what a sales row needs, with exact JSON types (the genuine page has them), source
// generated so the floor is the fastest System.Text.Json can do. Lower-case names match the wire.
#pragma warning disable IDE1006
public sealed class MinimalPage { public List<MinimalOrder> data { get; set; } = new(); }

public sealed class MinimalOrder
{
    public long id { get; set; }
    public bool payed { get; set; }
    public string? payed_at { get; set; }
    public long event_id { get; set; }
    public decimal price { get; set; }
    public string? currency_id { get; set; }
    public string? deleted_at { get; set; }
    public List<MinimalBasket> baskets { get; set; } = new();
}

public sealed class MinimalBasket
{
    public long id { get; set; }
    public decimal price { get; set; }
    public int quantity { get; set; }
    public string? deleted_at { get; set; }
    public string? refunded_at { get; set; }
    public decimal? refunded_amount { get; set; }
}
#pragma warning restore IDE1006

[JsonSerializable(typeof(MinimalPage))]
internal sealed partial class MinimalJsonContext : JsonSerializerContext;
