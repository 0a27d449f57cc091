using System.Text.Encodings.Web;
using System.Text.Json;

namespace QTickets.Core.Diagnostics;

/// <summary>
/// The steps of the legacy team's manual protocol (A–F), in their names, plus what it never tried: a baseline
/// (A0, the default first page every flat answer is compared with), HEAD, and the documented form J1
/// (GET /orders with a JSON body). Flat-parameter steps send exactly what the legacy loader sent
/// (compact +0300 offsets, organization=...), so their answers are comparable with its captures.
/// </summary>
public static class ProbeCatalog
{
    // Readable bodies in the artifacts: ">=" and "+03:00" instead of \u003E= and \u002B03:00.
    static readonly JsonSerializerOptions s_json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Every step id, in the order the steps run.</summary>
    public static IReadOnlyList<string> Ids => Steps.Select(s => s.Id).ToArray();

    internal static IReadOnlyList<ProbeStep> Steps { get; } = Build();

    internal static ProbeStep? Find(string id) =>
        Steps.FirstOrDefault(s => s.Id.Equals(id, StringComparison.OrdinalIgnoreCase));

    /// <summary>A step's hypothesis, for completion tooltips and help.</summary>
    public static string HypothesisOf(string id) => Find(id)?.Hypothesis ?? "";

    static string Flat(string org, params (string Key, string Value)[] parameters)
    {
        var all = new List<(string, string)>();
        if (org.Length > 0) all.Add(("organization", org));
        all.AddRange(parameters);
        return "orders?" + string.Join("&", all.Select(p => p.Item1 + "=" + Uri.EscapeDataString(p.Item2)));
    }

    /// <summary>The documented filter: paid orders, payed_at in [start, end), id ascending, 200 a page.</summary>
    internal static string JsonFilter(ProbeWindow w, int page = 1) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["where"] = new object[]
        {
            new Dictionary<string, object> { ["column"] = "payed", ["value"] = 1 },
            new Dictionary<string, object> { ["column"] = "payed_at", ["operator"] = ">=", ["value"] = ProbeClock.Iso(w.Start) },
            new Dictionary<string, object> { ["column"] = "payed_at", ["operator"] = "<", ["value"] = ProbeClock.Iso(w.End) },
        },
        ["orderBy"] = new Dictionary<string, string> { ["id"] = "asc" },
        // The page-size key is undocumented: send both spellings.
        ["per_page"] = 200,
        ["perPage"] = 200,
        ["page"] = page,
    }, s_json);

    static IReadOnlyList<ProbeStep> Build()
    {
        const string flat = "flat query parameters";
        return new ProbeStep[]
        {
            new() { Id = "0", Artifact = "step00_env", Kind = ProbeKind.Environment, Method = "",
                Hypothesis = "The token, base URL, organisation and clock are what we think they are." },
            new() { Id = "A0", Artifact = "stepA0_get_orders_default", Kind = ProbeKind.Baseline, Method = "GET",
                Hypothesis = "GET /orders with nothing returns the default first page (the baseline for A–C).",
                Request = (_, _) => ("orders", null), Form = "GET /orders without parameters" },
            new() { Id = "A1", Artifact = "stepA1_get_orders", Kind = ProbeKind.FlatQuery, Method = "GET", Form = flat,
                Hypothesis = "Flat query parameters payed=1&since=<30 days ago> return paid orders of the last 30 days.",
                Request = (w, org) => (Flat(org, ("payed", "1"), ("since", ProbeClock.Legacy(w.Days30.Start)), ("page", "1")), null),
                ExpectPayed = true, Window = ProbeWindowKind.Days30 },
            new() { Id = "A2", Artifact = "stepA2_get_orders_perpage", Kind = ProbeKind.FlatQuery, Method = "GET", Form = flat,
                Hypothesis = "per_page=200 in the query string returns 200 orders a page.",
                Request = (w, org) => (Flat(org, ("payed", "1"), ("since", ProbeClock.Legacy(w.Days30.Start)), ("page", "1"), ("per_page", "200")), null),
                ExpectPayed = true, Window = ProbeWindowKind.Days30, ExpectPerPage = 200 },
            new() { Id = "A3", Artifact = "stepA3_get_orders_page2", Kind = ProbeKind.FlatQuery, Method = "GET", Form = flat,
                Hypothesis = "page=2 in the query string returns the second page.",
                Request = (w, org) => (Flat(org, ("payed", "1"), ("since", ProbeClock.Legacy(w.Days30.Start)), ("page", "2")), null),
                ExpectPayed = true, Window = ProbeWindowKind.Days30, ExpectPage = 2 },
            new() { Id = "B1", Artifact = "stepB1_get_orders_payed1", Kind = ProbeKind.FlatQuery, Method = "GET", Form = flat,
                Hypothesis = "payed=1 alone returns only paid orders.",
                Request = (_, org) => (Flat(org, ("payed", "1"), ("page", "1")), null), ExpectPayed = true },
            new() { Id = "B2", Artifact = "stepB2_get_orders_status_paid", Kind = ProbeKind.FlatQuery, Method = "GET", Form = flat,
                Hypothesis = "status=paid returns only paid orders.",
                Request = (_, org) => (Flat(org, ("status", "paid"), ("page", "1")), null), ExpectPayed = true },
            new() { Id = "B3", Artifact = "stepB3_get_orders_payed0", Kind = ProbeKind.FlatQuery, Method = "GET", Form = flat,
                Hypothesis = "payed=0 returns only unpaid orders (the default would mix both).",
                Request = (_, org) => (Flat(org, ("payed", "0"), ("page", "1")), null), ExpectPayed = false },
            new() { Id = "C1", Artifact = "stepC1_get_orders_24h", Kind = ProbeKind.FlatQuery, Method = "GET", Form = flat,
                Hypothesis = "since/until for the last 24 hours return that day's paid orders.",
                Request = (w, org) => (Flat(org, ("payed", "1"), ("since", ProbeClock.Legacy(w.Hours24.Start)), ("until", ProbeClock.Legacy(w.Hours24.End)), ("page", "1")), null),
                ExpectPayed = true, Window = ProbeWindowKind.Hours24 },
            new() { Id = "C2", Artifact = "stepC2_get_orders_90d", Kind = ProbeKind.FlatQuery, Method = "GET", Form = flat,
                Hypothesis = "since/until for the last 90 days return that period's paid orders.",
                Request = (w, org) => (Flat(org, ("payed", "1"), ("since", ProbeClock.Legacy(w.Days90.Start)), ("until", ProbeClock.Legacy(w.Days90.End)), ("page", "1")), null),
                ExpectPayed = true, Window = ProbeWindowKind.Days90 },
            new() { Id = "J1", Artifact = "stepJ1_get_orders_json_body", Kind = ProbeKind.JsonBody, Method = "GET",
                Form = "GET /orders with a JSON body",
                Hypothesis = "The documented form, GET /orders with a JSON body (payed=1, payed_at window, orderBy id asc, per_page 200), returns paid orders of the last 30 days.",
                Request = (w, _) => ("orders", JsonFilter(w.Days30)),
                ExpectPayed = true, Window = ProbeWindowKind.Days30, ExpectPerPage = 200 },
            new() { Id = "D", Artifact = "stepD_get_orders_id", Kind = ProbeKind.ById, Method = "GET", Form = "GET /orders/{id}",
                Hypothesis = "One order is served by id (the token can read orders at all)." },
            new() { Id = "E1", Artifact = "stepE1_post_orders_filter", Kind = ProbeKind.Write, Method = "POST", Form = "POST /orders/filter",
                Hypothesis = "POST /orders/filter with a filter body returns filtered orders.",
                Request = (w, org) => ("orders/filter", JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["payed"] = 1, ["since"] = ProbeClock.Iso(w.Days30.Start), ["until"] = ProbeClock.Iso(w.Days30.End), ["organization"] = org,
                }, s_json)),
                ExpectPayed = true, Window = ProbeWindowKind.Days30 },
            new() { Id = "E2", Artifact = "stepE2_post_orders", Kind = ProbeKind.Write, Method = "POST", Form = "POST /orders with a filter body",
                Hypothesis = "POST /orders with a where/orderBy body returns filtered orders.",
                Request = (w, _) => ("orders", JsonFilter(w.Days30)),
                ExpectPayed = true, Window = ProbeWindowKind.Days30, ExpectPerPage = 200 },
            new() { Id = "F", Artifact = "stepF_repeat_503", Kind = ProbeKind.Repeat503, Method = "",
                Hypothesis = "A 503 is transient: the same request succeeds after a delay." },
            new() { Id = "H", Artifact = "stepH_head_orders", Kind = ProbeKind.Head, Method = "HEAD", Form = "HEAD /orders",
                Hypothesis = "The endpoint answers HEAD (reachability and headers without a body).",
                Request = (_, _) => ("orders", null) },
        };
    }
}
