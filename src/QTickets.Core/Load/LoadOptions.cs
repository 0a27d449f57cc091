using QTickets.Core.Transform;

namespace QTickets.Core.Load;

/// <summary>How one scheduled load runs (Invoke-QTicketsLoad's parameters over the configuration).</summary>
public sealed record LoadOptions
{
    public string JobName { get; init; } = "qtickets_api";
    public WallClock Clock { get; init; } = WallClock.Moscow;
    /// <summary>-SinceHours: load exactly the last N hours, whatever the watermark.</summary>
    public int? ForcedSinceHours { get; init; }
    /// <summary>Hours re-read before the watermark (QTICKETS_SINCE_HOURS).</summary>
    public int LookbackHours { get; init; } = 2;
    public int InitialBackfillHours { get; init; } = 720;
    /// <summary>Fetch and transform, write nothing, touch no ClickHouse.</summary>
    public bool DryRun { get; init; }
    public bool SkipInventory { get; init; }
    /// <summary>Shows whose seats are read at the same time for the inventory snapshot.</summary>
    public int InventoryParallelism { get; init; } = 4;
    public int BatchSize { get; init; } = 50_000;
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
