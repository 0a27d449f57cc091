namespace QTickets.Core.Webhooks;

/// <summary>What a receiver did between its start and its stop (Start-QTicketsWebhookReceiver's output).</summary>
public sealed class WebhookReceiverSummary(string url, DateTimeOffset started, DateTimeOffset stopped, WebhookCounters counters, long inserts, long factRecomputations)
{
    public string Url { get; } = url;
    public DateTimeOffset StartedAt { get; } = started;
    public DateTimeOffset StoppedAt { get; } = stopped;
    public long Staged { get; } = counters.Staged;
    public long Unchanged { get; } = counters.Unchanged;
    public long NotSold { get; } = counters.NotSold;
    public long Rejected { get; } = counters.Rejected;
    public long Unauthorized { get; } = counters.Unauthorized;
    public long Refused { get; } = counters.Refused;
    public long Unavailable { get; } = counters.Unavailable;
    /// <summary>Staging inserts (each carries every delivery that arrived while the one before ran).</summary>
    public long Inserts { get; } = inserts;
    public long FactRecomputations { get; } = factRecomputations;

    public override string ToString() =>
        $"qtickets webhook receiver on {Url} stopped after {(StoppedAt - StartedAt).TotalMinutes:0.0} min: {Staged} staged, {Unchanged} unchanged, " +
        $"{NotSold} not sold, {Rejected} rejected, {Unauthorized} bad signature, {Refused} refused, {Unavailable} answered 503; " +
        $"{Inserts} inserts, {FactRecomputations} fact recomputations";
}
