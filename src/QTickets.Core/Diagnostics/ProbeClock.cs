using System.Globalization;

namespace QTickets.Core.Diagnostics;

/// <summary>
/// Times as the protocol writes them: UTC and Moscow (QTickets' own zone, the one support answers in), and the
/// two offset styles the request forms use.
/// </summary>
internal static class ProbeClock
{
    static readonly TimeZoneInfo s_moscow =
        TimeZoneInfo.TryFindSystemTimeZoneById("Europe/Moscow", out var zone)
            ? zone
            : TimeZoneInfo.CreateCustomTimeZone("Europe/Moscow", TimeSpan.FromHours(3), "Moscow", "MSK");

    public static DateTimeOffset Moscow(DateTimeOffset t) => TimeZoneInfo.ConvertTime(t, s_moscow);

    public static string Utc(DateTimeOffset t) =>
        t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    /// <summary>"2026-11-23 13:01:45 UTC (16:01:45 Moscow)".</summary>
    public static string Both(DateTimeOffset t) =>
        Utc(t) + " (" + MoscowText(t) + " Moscow)";

    /// <summary>ISO-8601 in Moscow time with a colon offset, as the API writes its own timestamps.</summary>
    public static string Iso(DateTimeOffset t) =>
        Moscow(t).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    /// <summary>The legacy loader's compact offset (+0300), kept for the flat-parameter steps that replay it.</summary>
    public static string Legacy(DateTimeOffset t) => Iso(t).Remove(Iso(t).Length - 3, 1);

    /// <summary>Moscow wall-clock time in an invariant format (a format string alone would use the culture's separators).</summary>
    public static string MoscowText(DateTimeOffset t, string format = "yyyy-MM-dd HH:mm:ss") =>
        Moscow(t).ToString(format, CultureInfo.InvariantCulture);
}
