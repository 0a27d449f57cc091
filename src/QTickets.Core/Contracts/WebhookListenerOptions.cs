namespace QTickets.Core.Contracts;

/// <summary>Where and how the webhook listener accepts requests.</summary>
public sealed record WebhookListenerOptions
{
    /// <summary>An IP address or "localhost"; 0.0.0.0 or * listens on every interface (behind a firewall only).</summary>
    public string Address { get; init; } = "127.0.0.1";
    public int Port { get; init; } = 8088;
    /// <summary>The one path deliveries are accepted on, starting with '/'.</summary>
    public string Path { get; init; } = "/qtickets/webhook";
    /// <summary>A body longer than this is refused with 413 (an order with hundreds of tickets is well under 1 MiB).</summary>
    public int MaxBodyBytes { get; init; } = 1024 * 1024;
    /// <summary>A body not read in full within this time is cut off (408): a slow sender cannot hold a slot.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Requests handled at once; more wait in the listener's queue.</summary>
    public int MaxConcurrency { get; init; } = 64;
    /// <summary>How long a stop waits for the requests in progress.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
