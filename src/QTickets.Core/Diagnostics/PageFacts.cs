using System.Globalization;
using System.Text.Json;

namespace QTickets.Core.Diagnostics;

/// <summary>What a JSON answer holds, read without the model: only ids, payment flags and times.</summary>
internal sealed class PageFacts
{
    public bool IsJson { get; private init; }
    public bool IsList { get; private init; }
    public bool IsSingle { get; private init; }
    public string? JsonError { get; private init; }
    public List<long> Ids { get; } = new();
    public int Paid { get; private set; }
    public int Unpaid { get; private set; }
    public List<DateTimeOffset> PayedAt { get; } = new();
    public DateTimeOffset? EarliestCreated { get; private set; }
    public int? PerPage { get; private init; }
    public int? CurrentPage { get; private init; }
    public int? Total { get; private init; }
    public string? ErrorCode { get; private init; }
    public string? ErrorText { get; private init; }
    public bool? SinglePayed { get; private set; }

    public int Items => Ids.Count;

    public static PageFacts Read(string? body)
    {
        if (string.IsNullOrWhiteSpace(body)) return new PageFacts();
        var trimmed = body.TrimStart();
        if (trimmed[0] is not ('{' or '[')) return new PageFacts();
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return new PageFacts { IsJson = true };
            if (root.TryGetProperty("data", out var data))
            {
                if (data.ValueKind == JsonValueKind.Array)
                {
                    var facts = new PageFacts
                    {
                        IsJson = true,
                        IsList = true,
                        PerPage = Paging(root, "perPage"),
                        CurrentPage = Paging(root, "currentPage"),
                        Total = Paging(root, "total"),
                    };
                    foreach (var order in data.EnumerateArray()) facts.Add(order);
                    return facts;
                }
                if (data.ValueKind == JsonValueKind.Object)
                {
                    var facts = new PageFacts { IsJson = true, IsSingle = true };
                    facts.Add(data);
                    facts.SinglePayed = facts.Paid > 0;
                    return facts;
                }
            }
            return new PageFacts
            {
                IsJson = true,
                ErrorCode = Text(root, "code"),
                ErrorText = Text(root, "error") ?? Text(root, "message"),
            };
        }
        catch (JsonException ex)
        {
            return new PageFacts { JsonError = ex.Message };
        }
    }

    void Add(JsonElement order)
    {
        if (order.ValueKind != JsonValueKind.Object) return;
        if (order.TryGetProperty("id", out var id) && TryLong(id, out var n)) Ids.Add(n);
        var payed = order.TryGetProperty("payed", out var p) && p.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.Number => p.TryGetInt64(out var v) && v != 0,
            JsonValueKind.String => p.GetString() is "1" or "true",
            _ => false,
        };
        if (payed) Paid++; else Unpaid++;
        if (payed && Time(order, "payed_at") is { } at) PayedAt.Add(at);
        if (Time(order, "created_at") is { } created && (EarliestCreated is null || created < EarliestCreated)) EarliestCreated = created;
    }

    public int InWindow(ProbeWindow w) => PayedAt.Count(w.Contains);

    static bool TryLong(JsonElement e, out long value)
    {
        value = 0;
        return e.ValueKind switch
        {
            JsonValueKind.Number => e.TryGetInt64(out value),
            JsonValueKind.String => long.TryParse(e.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out value),
            _ => false,
        };
    }

    static DateTimeOffset? Time(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String &&
        DateTimeOffset.TryParse(v.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t : null;

    static int? Paging(JsonElement root, string name) =>
        root.TryGetProperty("paging", out var paging) && paging.ValueKind == JsonValueKind.Object &&
        paging.TryGetProperty(name, out var v) && TryLong(v, out var n) ? (int)n : null;

    static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.ToString() : null;
}
