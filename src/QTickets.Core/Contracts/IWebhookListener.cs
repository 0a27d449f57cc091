namespace QTickets.Core.Contracts;

/// <summary>An HTTP listener serving one <see cref="IWebhookHandler"/> (implemented in QTickets.Engine/Webhooks).</summary>
public interface IWebhookListener
{
    /// <summary>e.g. http://127.0.0.1:8088/qtickets/webhook: where QTickets (or the reverse proxy) must send deliveries.</summary>
    string Url { get; }

    /// <summary>
    /// Listens until <paramref name="cancellation"/> fires, then stops accepting, lets the requests in progress
    /// finish (up to <see cref="WebhookListenerOptions.DrainTimeout"/>) and returns. Throws when the address cannot
    /// be bound (in use, not permitted), naming it. <paramref name="listening"/> runs once the address is bound, so
    /// "listening" is never announced before a delivery could be taken.
    /// </summary>
    Task RunAsync(CancellationToken cancellation, Action? listening = null);
}
