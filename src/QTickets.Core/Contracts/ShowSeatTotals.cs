namespace QTickets.Core.Contracts;

/// <summary>
/// Inventory of one show from `/shows/{id}/seats`: quantities, not seat counts (a standing zone is one "seat"
/// with max_quantity 500; the legacy loader counted seats).
/// </summary>
public sealed record ShowSeatTotals(long ShowId, int Seats, long MaxQuantity, long FreeQuantity);
