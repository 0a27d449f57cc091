namespace QTickets.Core.Contracts;

/// <summary>Which orders <see cref="IQTicketsApi.GetOrdersAsync"/> reads.</summary>
public sealed record OrderQuery
{
    /// <summary>Orders paid in [Since, Until) (created in it with <see cref="IncludeUnpaid"/>: an unpaid order has no payment time).</summary>
    public static OrderQuery PaidBetween(DateTimeOffset since, DateTimeOffset until) =>
        new() { Kind = OrderQueryKind.PaymentWindow, Since = since, Until = until };

    /// <summary>Orders whose updated_at is at or after <paramref name="since"/>: catches refunds and cancellations of older orders.</summary>
    public static OrderQuery ChangedSince(DateTimeOffset since) => new() { Kind = OrderQueryKind.Changes, Since = since };

    public OrderQueryKind Kind { get; init; }
    public DateTimeOffset Since { get; init; }
    /// <summary>Exclusive end of a payment window; ignored for <see cref="OrderQueryKind.Changes"/>.</summary>
    public DateTimeOffset Until { get; init; } = DateTimeOffset.MaxValue;
    /// <summary>Also orders not paid (reservations, and expired ones when <see cref="IncludeCancelled"/>).</summary>
    public bool IncludeUnpaid { get; init; }
    /// <summary>Also orders with deleted_at set (cancelled).</summary>
    public bool IncludeCancelled { get; init; }
    /// <summary>Fill names, e-mails, phones and the card mask; null otherwise.</summary>
    public bool IncludePersonalData { get; init; }
}

public enum OrderQueryKind
{
    /// <summary>By payed_at (created_at with IncludeUnpaid) in [Since, Until).</summary>
    PaymentWindow,
    /// <summary>By updated_at at or after Since.</summary>
    Changes,
}
