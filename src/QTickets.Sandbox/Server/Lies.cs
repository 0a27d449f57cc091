using System.Globalization;
using QTickets.Sandbox.Data;
using QTickets.Sandbox.Json;

namespace QTickets.Sandbox.Server;

/// <summary>
/// Answers that are well-formed but wrong, so a client's defences can be tested end to end (the truth,
/// GET /_sandbox/truth, never changes with them). A spec (JSON, <see cref="Parse"/>):
/// <code>
/// {"unreadable": {"field": "price", "every": 25, "until": "2026-11-20T13:00:00+03:00"},
///  "hideEvents": [{"id": 2001, "until": "2026-11-20T13:00:00+03:00"}],
///  "skewUpdatedAt": {"seconds": 259200, "until": "2026-11-20T13:00:00+03:00"}}
/// </code>
/// <list type="bullet">
/// <item>unreadable: every order whose id is a multiple of <c>every</c> (default 25) is served with its first
/// basket's <c>price</c> as <c>"12,5 руб"</c> (field "price") or its <c>quantity</c> as <c>"two"</c> (field
/// "quantity"), in /orders and /orders/{id}.</item>
/// <item>hideEvents: each event is left out of /events (the list is served as if it did not exist, so paging stays
/// consistent) and /events/{id} answers 404; its orders are still served.</item>
/// <item>skewUpdatedAt: every order is served with its <c>updated_at</c> and its baskets' moved by <c>seconds</c>
/// (negative: back), in /orders and /orders/{id}, as from a server whose clock is off and later corrected; the
/// filters still see the true times.</item>
/// </list>
/// Each lie lasts until the virtual clock reaches its <c>until</c> (the lie ends by itself when the clock is advanced
/// past it), or, without one, until the lies are replaced or cleared (DELETE /_sandbox/lies).
/// </summary>
internal sealed class Lies
{
    public string? UnreadableField;
    public int Every = 25;
    public int? UnreadableUntil;
    public Dictionary<long, int?> HiddenEvents { get; } = [];
    public int SkewSeconds;
    public int? SkewUntil;
    public string Source = "{}";

    public static readonly string BadPrice = "12,5 \u0440\u0443\u0431";
    public const string BadQuantity = "two";

    public static Lies Parse(string json)
    {
        var node = JNode.Parse(json) as JObject ?? throw new FormatException("lies must be a JSON object");
        var lies = new Lies { Source = node.ToString() };
        foreach (var (key, _) in node.Props)
            if (key is not ("unreadable" or "hideEvents" or "skewUpdatedAt"))
                throw new FormatException($"unknown lie '{key}' (unreadable, hideEvents, skewUpdatedAt)");
        if (node["unreadable"] is JObject u)
        {
            lies.UnreadableField = (u["field"] as JString)?.Value ?? "price";
            if (lies.UnreadableField is not ("price" or "quantity"))
                throw new FormatException($"unreadable.field must be price or quantity, not '{lies.UnreadableField}'");
            if (u["every"] is JNumber every) lies.Every = Math.Max(1, (int)every.AsDouble());
            lies.UnreadableUntil = Until(u["until"]);
        }
        else if (node["unreadable"] is not null and not JNull) throw new FormatException("unreadable must be an object");
        if (node["hideEvents"] is JArray hide)
            foreach (var item in hide.Items)
            {
                var (id, until) = item switch
                {
                    JNumber n => (long.Parse(n.Raw, CultureInfo.InvariantCulture), (int?)null),
                    JObject o when o["id"] is JNumber n => (long.Parse(n.Raw, CultureInfo.InvariantCulture), Until(o["until"])),
                    _ => throw new FormatException("hideEvents items are event ids or {\"id\": N, \"until\": ISO}"),
                };
                lies.HiddenEvents[id] = until;
            }
        else if (node["hideEvents"] is not null and not JNull) throw new FormatException("hideEvents must be a list");
        if (node["skewUpdatedAt"] is JObject skew)
        {
            lies.SkewSeconds = skew["seconds"] is JNumber seconds ? (int)seconds.AsDouble()
                : throw new FormatException("skewUpdatedAt needs seconds (a whole number, negative for a clock behind)");
            lies.SkewUntil = Until(skew["until"]);
        }
        else if (node["skewUpdatedAt"] is not null and not JNull) throw new FormatException("skewUpdatedAt must be an object");
        return lies;
    }

    static int? Until(JNode? node) => node switch
    {
        null or JNull => null,
        JString s when Time.TryParseInstant(s.Value, out var at) => Time.From(at),
        _ => throw new FormatException("until must be an ISO-8601 time"),
    };

    static bool Active(int? until, int now) => until is not { } u || now < u;

    /// <summary>True when /events must not show the event at virtual time <paramref name="now"/>.</summary>
    public bool HidesEvent(long id, int now) => HiddenEvents.TryGetValue(id, out var until) && Active(until, now);

    public bool HidesAnyEvent(int now) => HiddenEvents.Values.Any(u => Active(u, now));

    /// <summary>The order as served, with the unreadable value when the lie covers it.</summary>
    public JNode Order(JNode order, long id, int now) => Unreadable(Skewed(order, now), id, now);

    JNode Skewed(JNode order, int now)
    {
        if (SkewSeconds == 0 || !Active(SkewUntil, now) || order is not JObject o) return order;
        var moved = Shift(o);
        return moved["baskets"] is JArray baskets
            ? Replace(moved, "baskets", new JArray(baskets.Items.Select(b => b is JObject basket ? Shift(basket) : b)))
            : moved;
    }

    JObject Shift(JObject item) =>
        item["updated_at"] is JString s && Time.TryParseInstant(s.Value, out var at)
            ? Replace(item, "updated_at", new JString(Time.Render(Time.From(at) + SkewSeconds)))
            : item;

    JNode Unreadable(JNode order, long id, int now)
    {
        if (UnreadableField is null || !Active(UnreadableUntil, now) || id % Every != 0) return order;
        if (order is not JObject o || o["baskets"] is not JArray { Items.Count: > 0 } baskets || baskets.Items[0] is not JObject first) return order;
        var broken = Replace(first, UnreadableField, new JString(UnreadableField == "price" ? BadPrice : BadQuantity));
        return Replace(o, "baskets", new JArray(baskets.Items.Skip(1).Prepend(broken)));
    }

    static JObject Replace(JObject source, string key, JNode value)
    {
        var copy = new JObject();
        foreach (var (k, v) in source.Props) copy.Add(k, k == key ? value : v);
        return copy;
    }

    public JObject Describe(int now)
    {
        var hidden = new JArray(HiddenEvents.Where(h => Active(h.Value, now)).Select(h => (JNode)new JNumber(h.Key)));
        return new JObject().Add("spec", JNode.Parse(Source))
            .Add("unreadableActive", UnreadableField is not null && Active(UnreadableUntil, now))
            .Add("skewActive", SkewSeconds != 0 && Active(SkewUntil, now))
            .Add("hiddenEventsNow", hidden);
    }
}
