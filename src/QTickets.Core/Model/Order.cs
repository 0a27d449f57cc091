using QTickets.Core.Json;

namespace QTickets.Core.Model;

/// <summary>
/// One QTickets order as the REST API serves it (GET /orders, /orders/{id}), parsed tolerantly.
/// Personal data (client name, e-mail, phone, card mask) is null unless the caller asked for it
/// with -IncludePersonalData; <see cref="PayloadJson"/> never carries it.
/// </summary>
public sealed class Order
{
    public long Id { get; set; }

    /// <summary>
    /// The id as served (text): names an order whose id is not a number (<see cref="Id"/> is then 0), in
    /// messages and in the rejected-orders table.
    /// </summary>
    public string SourceId { get; set; } = "";
    public bool Payed { get; set; }
    public DateTimeOffset? PayedAt { get; set; }
    public long EventId { get; set; }
    public long ClientId { get; set; }
    public decimal Price { get; set; }
    public decimal OriginalPrice { get; set; }
    public string CurrencyId { get; set; } = "";
    public string PaymentTypeId { get; set; } = "";
    public long? DiscountId { get; set; }
    public long? PromoCodeId { get; set; }
    public bool Reserved { get; set; }
    public DateTimeOffset? ReservedTo { get; set; }
    public UtmTags Utm { get; set; } = UtmTags.Empty;
    public IReadOnlyList<Basket> Baskets { get; set; } = Array.Empty<Basket>();
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }

    /// <summary>Derived from payment, deletion and the baskets' refunds.</summary>
    public OrderStatus Status => OrderStatusRules.Of(this);

    // Personal data: filled only with -IncludePersonalData.
    public string? ClientEmail { get; set; }
    public string? ClientPhone { get; set; }
    public string? ClientName { get; set; }
    public string? PaymentCardNumber { get; set; }

    /// <summary>
    /// The order's JSON as served, minus every personal field (see Json/PersonalData.cs), as UTF-8: the staging
    /// table's payload_json, written by the parser and sent to ClickHouse as these bytes.
    /// </summary>
    public string PayloadJson { get => PayloadUtf8.ToString(); set => PayloadUtf8 = Utf8Json.FromText(value); }

    /// <summary>
    /// <see cref="PayloadJson"/> as the parser wrote it, in UTF-8, carried to the sales row and the writer as these bytes.
    /// Internal, so PowerShell (ConvertTo-Json, Export-Csv) reads the text rather than an object without properties.
    /// </summary>
    internal Utf8Json PayloadUtf8 { get; set; } = Utf8Json.EmptyObject;

    /// <summary>
    /// What could not be read from this order, each naming the field and the value as served (a missing id, an
    /// amount that is not a number, an unparsable timestamp). The parser is tolerant so one bad order never fails
    /// a page; the order is rejected (the loader records it for retry, ConvertTo-QTicketsSalesRow reports errors).
    /// </summary>
    public IReadOnlyList<string> Problems { get; set; } = Array.Empty<string>();

    public override string ToString() => Id > 0 ? $"Order {Id}" : $"Order with unreadable id '{SourceId}'";
}

/// <summary>UTM tags of an order; the API sends `[]` when there are none, so every tag defaults to "".</summary>
public sealed record UtmTags(string Source, string Medium, string Campaign, string Content, string Term)
{
    public static readonly UtmTags Empty = new("", "", "", "", "");
    public override string ToString() => Source.Length == 0 ? "" : $"{Source}/{Medium}/{Campaign}";
}
