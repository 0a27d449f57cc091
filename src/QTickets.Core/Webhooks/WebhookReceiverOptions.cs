using QTickets.Core.Transform;

namespace QTickets.Core.Webhooks;

/// <summary>The receiver's rules: the one path, the body limit, the zone of sale_ts.</summary>
public sealed record WebhookReceiverOptions
{
    public string Path { get; init; } = "/qtickets/webhook";
    public int MaxBodyBytes { get; init; } = 1024 * 1024;
    public WallClock Clock { get; init; } = WallClock.Moscow;
}
