namespace QTickets.Core.Contracts;

/// <summary>
/// One side's figures for one sale day (Moscow wall-clock, like sale_ts and sales_date) and event: what the API
/// says the day should hold, or what staging FINAL or the daily facts FINAL hold.
/// </summary>
/// <param name="PaidOrders">Orders with at least one live ticket (the facts count no orders: 0 there).</param>
/// <param name="Tickets">Live tickets (<see cref="QTickets.Core.Model.OrderStatusRules"/>).</param>
/// <param name="Revenue">What the day still earns, in roubles with kopecks.</param>
/// <param name="MaxVersion">The highest _ver among the rows (0 for the API side).</param>
public sealed record DailyTotals(DateOnly Day, string EventId, long PaidOrders, long Tickets, decimal Revenue, ulong MaxVersion = 0);
