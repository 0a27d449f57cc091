using QTickets.Core.Contracts;

namespace QTickets.Core.Load;

/// <summary>
/// The legacy Python loader is still writing into the database this module loads (found by its fingerprints, see
/// <see cref="LegacyWrites"/>). Its rows double-count, so the run fails (exit code 10) although it removed them and
/// recomputed their days: every run repairs what it wrote since the last one and fails until its timer is stopped.
/// </summary>
public sealed class LegacyLoaderException(LegacyWrites writes, string database)
    : Exception(
        $"The legacy Python loader is still writing into {database}: stop its timer (systemctl disable --now qtickets_api.timer, " +
        $"or its cron entry). Removed what it wrote since the last run ({writes.StagingRows} staging row(s) keyed its way, " +
        $"{writes.EventRows} dim_events row(s) and {writes.InventoryRows} inventory row(s) with a dict for the city) and " +
        $"recomputed {writes.Days.Count} day(s); every run fails until it stops.")
{
    public LegacyWrites Writes { get; } = writes;
}
