using System.Globalization;
using System.Text.RegularExpressions;

namespace QTickets.Sandbox.Data;

/// <summary>
/// Compact timestamps: int seconds since 2000-01-01T00:00:00Z (0 means "null"; good until 2068).
/// Everything is rendered with the Moscow offset +03:00, as production does for every city.
/// </summary>
internal static partial class Time
{
    public const long Epoch2000 = 946684800;
    public static readonly TimeSpan Msk = TimeSpan.FromHours(3);

    public static int FromUnix(long unix) => checked((int)(unix - Epoch2000));
    public static long ToUnix(int ts) => ts + Epoch2000;
    public static int From(DateTimeOffset t) => FromUnix(t.ToUnixTimeSeconds());
    public static DateTimeOffset ToDto(int ts) => DateTimeOffset.FromUnixTimeSeconds(ToUnix(ts)).ToOffset(Msk);

    public static string Render(int ts) =>
        ToDto(ts).ToString("yyyy-MM-dd'T'HH:mm:ss'+03:00'", CultureInfo.InvariantCulture);

    public static string? RenderOrNull(int ts) => ts == 0 ? null : Render(ts);

    /// <summary>Moscow calendar day of an instant.</summary>
    public static string MoscowDay(int ts) => ToDto(ts).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$")]
    private static partial Regex IsoRx();

    /// <summary>
    /// Parses the timestamp forms a client may send: ISO-8601 with or without offset (a missing offset
    /// means Moscow time, the server's zone), "+0300" or "+03:00", space or 'T', optional fraction, date only.
    /// </summary>
    public static bool TryParseInstant(string s, out DateTimeOffset value)
    {
        value = default;
        var m = IsoRx().Match(s.Trim());
        if (!m.Success) return false;
        var date = m.Groups[1].Value;
        var time = m.Groups[2].Success ? m.Groups[2].Value : "00:00:00";
        if (time.Length == 5) time += ":00";
        var frac = m.Groups[3].Success ? m.Groups[3].Value : "";
        var off = m.Groups[4].Success ? m.Groups[4].Value : "+03:00";
        if (off == "Z") off = "+00:00";
        else if (off.Length == 5) off = off[..3] + ":" + off[3..];
        return DateTimeOffset.TryParseExact(date + "T" + time + frac + off,
            ["yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz"],
            CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
    }
}
