using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using QTickets.Core.Json;
using QTickets.Core.Transform;

namespace QTickets.Benchmarks;

/// <summary>
/// SalesRow-shaped test rows for the write-path benchmarks (bench/write-vs-curl.sh, WriteBatchBenchmarks):
/// <see cref="Generate"/> writes N rows as TabSeparated in the staging table's column order (what curl sends);
/// <see cref="Read"/> streams the same file back as <see cref="SalesRow"/> objects, lazily, one line at a time,
/// so `[QTickets.Benchmarks.SalesRowTsv]::Read($path) | Write-QTicketsClickHouse` feeds the cmdlet exactly
/// the objects the transform would, without holding them and without PowerShell script per row.
/// </summary>
public static class SalesRowTsv
{
    static readonly string[] s_cities = { "Москва", "Санкт-Петербург", "Казань", "Екатеринбург", "Новосибирск", "Нижний Новгород" };
    static readonly string[] s_sources = { "", "yandex", "google", "vk", "telegram", "email" };
    static readonly string[] s_mediums = { "", "cpc", "social", "newsletter" };
    static readonly string[] s_words = { "Танцпол", "Партер", "Балкон", "ряд", "место", "seat", "DANCEFLOOR", "VIP", "card", "RUB", "билет", "promo" };
    static readonly DateTime s_start = new(2026, 9, 1, 0, 0, 0, DateTimeKind.Unspecified);

    /// <summary>Row i, deterministic. payloadBytes pads payload_json (the scrubbed order is ~2.2 KB in production).</summary>
    public static SalesRow Row(int i, int payloadBytes)
    {
        var orderId = (10_000_000L + i).ToString(CultureInfo.InvariantCulture);
        var tickets = (uint)(1 + i % 4);
        var revenue = tickets * (1000m + i % 37 * 50m) + (i % 100) / 100m;
        var eventId = (300 + i % 12).ToString(CultureInfo.InvariantCulture);
        var payload = new StringBuilder(payloadBytes + 64);
        payload.Append("{\"id\":").Append(orderId).Append(",\"event_id\":").Append(eventId)
            .Append(",\"payed\":1,\"currency_id\":\"RUB\",\"baskets\":[");
        for (var t = 0; t < tickets; t++)
            payload.Append(t == 0 ? "" : ",").Append("{\"id\":").Append(i * 4 + t).Append(",\"price\":\"").Append(1000 + i % 37 * 50).Append("\"}");
        // Filler that compresses about like real order JSON (~4-5x with gzip), not like a run of one letter.
        payload.Append("],\"fields\":{");
        var x = (uint)i * 2654435761u + 12345u;
        for (var k = 0; payload.Length < payloadBytes - 24; k++)
        {
            x ^= x << 13; x ^= x >> 17; x ^= x << 5;
            payload.Append(k == 0 ? "" : ",").Append("\"f").Append(k).Append("\":\"").Append(s_words[x % (uint)s_words.Length])
                .Append(' ').Append((x >> 8) % 100000).Append('"');
        }
        payload.Append("}}");
        return new SalesRow
        {
            order_id = orderId,
            event_id = eventId,
            city = s_cities[i % s_cities.Length],
            utm_source = s_sources[i % s_sources.Length],
            utm_medium = s_mediums[i % s_mediums.Length],
            utm_campaign = i % 3 == 0 ? "" : "autumn-" + (i % 50).ToString(CultureInfo.InvariantCulture),
            utm_content = i % 5 == 0 ? "banner" : "",
            utm_term = "",
            sale_ts = s_start.AddSeconds(i * 7L % (80L * 86400)),
            tickets_sold = tickets,
            revenue = revenue,
            currency = "RUB",
            PayloadUtf8 = Utf8Json.FromText(payload.ToString()),
            _ver = 1_790_000_000UL,
            _dedup_key = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(orderId))),
        };
    }

    /// <summary>Writes rows 0..n-1 as TSV in the staging column order (Schema.StagingOrderColumns).</summary>
    public static void Generate(string path, int n, int payloadBytes)
    {
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20) { NewLine = "\n" };
        for (var i = 0; i < n; i++)
        {
            var r = Row(i, payloadBytes);
            w.Write(Escape(r.order_id)); w.Write('\t');
            w.Write(Escape(r.event_id)); w.Write('\t');
            w.Write(Escape(r.city)); w.Write('\t');
            w.Write(Escape(r.utm_source)); w.Write('\t');
            w.Write(Escape(r.utm_medium)); w.Write('\t');
            w.Write(Escape(r.utm_campaign)); w.Write('\t');
            w.Write(Escape(r.utm_content)); w.Write('\t');
            w.Write(Escape(r.utm_term)); w.Write('\t');
            w.Write(r.sale_ts.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)); w.Write('\t');
            w.Write(r.tickets_sold.ToString(CultureInfo.InvariantCulture)); w.Write('\t');
            w.Write(r.revenue.ToString("0.00", CultureInfo.InvariantCulture)); w.Write('\t');
            w.Write(Escape(r.currency)); w.Write('\t');
            w.Write(Escape(r.payload_json.ToString())); w.Write('\t');
            w.Write(r._ver.ToString(CultureInfo.InvariantCulture)); w.Write('\t');
            w.Write(r._dedup_key);
            w.Write('\n');
        }
    }

    /// <summary>The rows of a file <see cref="Generate"/> wrote, streamed: one line read per row yielded.</summary>
    public static IEnumerable<SalesRow> Read(string path)
    {
        // A 1 MB read buffer: with File.ReadLines' 4 KB one, reading the file was a quarter of the process's CPU.
        using var reader = new StreamReader(path, Encoding.UTF8, false, new FileStreamOptions { BufferSize = 1 << 20 });
        while (reader.ReadLine() is { } line)
        {
            var f = line.Split('\t');
            yield return new SalesRow
            {
                order_id = Unescape(f[0]),
                event_id = Unescape(f[1]),
                city = Unescape(f[2]),
                utm_source = Unescape(f[3]),
                utm_medium = Unescape(f[4]),
                utm_campaign = Unescape(f[5]),
                utm_content = Unescape(f[6]),
                utm_term = Unescape(f[7]),
                sale_ts = Timestamp(f[8]),
                tickets_sold = uint.Parse(f[9], CultureInfo.InvariantCulture),
                revenue = decimal.Parse(f[10], CultureInfo.InvariantCulture),
                currency = Unescape(f[11]),
                PayloadUtf8 = Utf8Json.FromText(Unescape(f[12])),
                _ver = ulong.Parse(f[13], CultureInfo.InvariantCulture),
                _dedup_key = f[14],
            };
        }
    }

    static string Escape(string s) =>
        s.AsSpan().IndexOfAny('\\', '\t', '\n') < 0 ? s : s.Replace("\\", "\\\\").Replace("\t", "\\t").Replace("\n", "\\n");

    static string Unescape(string s) =>
        !s.Contains('\\') ? s : s.Replace("\\t", "\t").Replace("\\n", "\n").Replace("\\\\", "\\");

    /// <summary>
    /// "yyyy-MM-dd HH:mm:ss" read by hand: DateTime.ParseExact was ~30% of the whole benchmark process's CPU
    /// (dotnet-trace), a cost of producing the test rows that curl's side does not pay and the write path does not have.
    /// </summary>
    static DateTime Timestamp(string t)
    {
        if (t.Length != 19 || t[4] != '-' || t[7] != '-' || t[10] != ' ' || t[13] != ':' || t[16] != ':')
            throw new FormatException($"Not a yyyy-MM-dd HH:mm:ss timestamp: '{t}'.");
        static int N(string t, int at, int count) => int.Parse(t.AsSpan(at, count), NumberStyles.None, CultureInfo.InvariantCulture);
        return new DateTime(N(t, 0, 4), N(t, 5, 2), N(t, 8, 2), N(t, 11, 2), N(t, 14, 2), N(t, 17, 2), DateTimeKind.Unspecified);
    }
}
