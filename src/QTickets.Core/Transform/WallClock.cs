namespace QTickets.Core.Transform;

/// <summary>
/// Instants as naive wall-clock times in one zone: the ClickHouse DateTime columns the dashboards read hold
/// Moscow wall-clock without an offset, so the rows must too, whatever zone the machine is in.
/// </summary>
public sealed class WallClock
{
    public const string DefaultZone = "Europe/Moscow";

    public WallClock(TimeZoneInfo zone) => Zone = zone;

    public TimeZoneInfo Zone { get; }

    public static WallClock Moscow { get; } = For(DefaultZone);

    /// <summary>An IANA (or Windows) zone id; <see cref="TimeZoneNotFoundException"/> names an unknown one.</summary>
    public static WallClock For(string zoneId) => new(TimeZoneInfo.FindSystemTimeZoneById(zoneId));

    public DateTime Of(DateTimeOffset instant) =>
        DateTime.SpecifyKind(TimeZoneInfo.ConvertTime(instant, Zone).DateTime, DateTimeKind.Unspecified);

    /// <summary>The instant a wall-clock day begins in this zone: [StartOf(d), StartOf(d + 1)) holds every sale_ts of day d.</summary>
    public DateTimeOffset StartOf(DateOnly day)
    {
        var midnight = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(midnight, Zone.GetUtcOffset(midnight));
    }
}
