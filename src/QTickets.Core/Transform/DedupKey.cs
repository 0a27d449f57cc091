using System.Globalization;
using System.Text;

namespace QTickets.Core.Transform;

/// <summary>
/// The _dedup_key recipes. ReplacingMergeTree keeps one row per key (the highest _ver), so the key must name
/// what a row is about and nothing that can change: the legacy hashed revenue and sale time into it, so a
/// refunded order added a row instead of replacing one.
/// </summary>
public static class DedupKey
{
    /// <summary>
    /// Sales row: lowercase hex md5 of the order id's decimal digits in UTF-8, nothing else
    /// (order 4360 → md5("4360")). In ClickHouse: <c>lower(hex(MD5(order_id)))</c>, which is how legacy rows
    /// can be re-keyed.
    /// </summary>
    public static string ForOrder(long orderId)
    {
        Span<byte> digits = stackalloc byte[20];
        orderId.TryFormat(digits, out var length, default, CultureInfo.InvariantCulture);
        return Md5Hex(digits[..length]);
    }

    /// <summary>
    /// Inventory row: md5 of "&lt;event_id&gt;::&lt;snapshot_ts as yyyy-MM-dd HH:mm:ss&gt;" (the legacy recipe
    /// without its microseconds, which the DateTime column drops anyway). In ClickHouse:
    /// <c>lower(hex(MD5(concat(event_id, '::', formatDateTime(snapshot_ts, '%Y-%m-%d %H:%i:%S')))))</c>.
    /// </summary>
    public static string ForInventory(long eventId, DateTime snapshotTs) =>
        Md5Hex(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{eventId}::{snapshotTs:yyyy-MM-dd HH:mm:ss}")));

    static string Md5Hex(ReadOnlySpan<byte> utf8)
    {
        Span<byte> hash = stackalloc byte[16];
        Md5.HashData(utf8, hash);
        return Convert.ToHexStringLower(hash);
    }
}
