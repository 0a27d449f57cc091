using QTickets.Core.Transform;

namespace QTickets.Core.Reconcile;

/// <summary>What one Compare-QTicketsClickHouse run compares.</summary>
public sealed record ReconcileOptions
{
    /// <summary>First and last sale day compared (inclusive), wall-clock days of <see cref="Clock"/>.</summary>
    public DateOnly From { get; init; }
    public DateOnly To { get; init; }
    /// <summary>Only these events (ids as staging spells them); empty for all.</summary>
    public IReadOnlyList<string> EventIds { get; init; } = Array.Empty<string>();
    /// <summary>The loader's job name; the verdict is recorded as &lt;JobName&gt;_reconcile.</summary>
    public string JobName { get; init; } = "qtickets_api";
    public WallClock Clock { get; init; } = WallClock.Moscow;
    public TimeProvider Time { get; init; } = TimeProvider.System;

    public string ReconcileJob => JobName + "_reconcile";
}
