namespace QTickets.Core.Contracts;

/// <summary>The row staging holds for an order (its highest _ver): what a webhook delivery is compared with.</summary>
/// <param name="PayloadJson">The scrubbed order it was made of: its updated_at times give the source's version.</param>
public sealed record StagedOrder(string OrderId, ulong Version, string PayloadJson, DateOnly SaleDay);
