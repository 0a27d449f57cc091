using System.Globalization;
using QTickets.Sandbox.Data;
using QTickets.Sandbox.Json;

namespace QTickets.Sandbox.Tests;

/// <summary>
/// The query cache (page k of a query = a slice of its cached answer; id ranges by binary search) must answer
/// exactly what the direct path (filter and sort everything, per page) answers: for the shapes the clients send
/// and for generic ones, before and after the clock creates and changes orders.
/// </summary>
public class QueryCacheTests
{
    private const string Since = "2026-09-19T12:00:00+03:00";
    private const string Now = "2026-11-20T12:00:00+03:00";

    private static World NewWorld(int orders = 900, long seed = 7) =>
        new(new World.Options(seed, orders, 12, DateTimeOffset.Parse(Now, CultureInfo.InvariantCulture), 60, 25));

    private static string Cond(string column, string op, string valueJson) =>
        $"{{\"column\":\"{column}\",\"operator\":\"{op}\",\"value\":{valueJson}}}";

    /// <summary>
    /// (where, orderBy, page size, every page or only the first and last two): the bodies the module
    /// (Get-QTicketsOrder, the loader) and bench/e2e-by-hand.sh send on every page, then generic ones in every order.
    /// </summary>
    private static IEnumerable<(string Where, string OrderBy, int PerPage, bool EveryPage)> Queries(World w)
    {
        foreach (var where in Wheres(w, out var clientShapes))
        {
            var client = clientShapes-- > 0;
            foreach (var ob in OrderBys)
            {
                var idOrder = ob is "{\"id\":\"asc\"}" or "";
                if (client && !idOrder && !where.Contains("\"id\"")) yield return (where, ob, 400, false);
                else if (idOrder) yield return (where, ob, 150, client);
                else if (!client) yield return (where, ob, 400, false);
            }
        }
    }

    private static List<string> Wheres(World w, out int clientShapes)
    {
        var list = ClientAndGenericWheres(w).ToList();
        clientShapes = list.IndexOf("GENERIC");
        list.Remove("GENERIC");
        return list;
    }

    private static IEnumerable<string> ClientAndGenericWheres(World w)
    {
        var ids = w.Orders.Select(o => o.OrderId).ToList();
        var mid = ids[ids.Count / 2];
        var q = $"\"{Since}\"";
        var n = $"\"{Now}\"";
        // the client's shapes: payment window (paid only / with unpaid: created_at), changes, keyset sweeps on each
        var windows = new[]
        {
            $"[{Cond("payed", "=", "1")},{Cond("payed_at", ">=", q)},{Cond("payed_at", "<", n)}]",
            $"[{Cond("created_at", ">=", q)},{Cond("created_at", "<", n)}]",
            $"[{Cond("updated_at", ">=", q)}]",
            $"[{Cond("payed", "=", "1")},{Cond("updated_at", ">=", "\"2026-11-10T00:00:00+03:00\"")}]",
            "[]",
        };
        foreach (var win in windows)
        {
            yield return win;
            var inner = win[1..^1];
            var sep = inner.Length > 0 ? "," : "";
            foreach (var wm in new[] { "0", ids[0].ToString(), (ids[0] - 1).ToString(), mid.ToString(), (mid + 1).ToString(), ids[^1].ToString(), (ids[^1] + 5).ToString() })
                yield return $"[{inner}{sep}{Cond("id", ">", wm)}]";
        }
        yield return "GENERIC";
        // id ranges of every kind, numeric strings, fractions, several at once, an id condition first
        yield return $"[{Cond("id", ">=", mid.ToString())}]";
        yield return $"[{Cond("id", "<", mid.ToString())},{Cond("payed", "=", "true")}]";
        yield return $"[{Cond("id", "<=", mid.ToString())},{Cond("id", ">", (ids[0] + 40).ToString())}]";
        yield return $"[{Cond("id", ">", $"\"{mid}\"")}]";
        yield return $"[{Cond("id", ">", $"{mid}.5")}]";
        yield return $"[{Cond("id", ">", "\"abc\"")}]";          // not numeric: compared as text, never a binary search
        yield return $"[{Cond("id", ">", "null")}]";
        yield return $"[{Cond("id", ">", $"[{mid},1]")}]";
        yield return $"[{Cond("id", "!=", mid.ToString())},{Cond("id", "=", ids[3].ToString())}]";
        yield return $"[{Cond("id", "in", $"[{ids[1]},{ids[2]},{mid}]")}]";
        yield return $"[{Cond("id", ">", ids[10].ToString())},{Cond("id", "<", ids[5].ToString())}]"; // empty
        // generic filters: nested paths, like, null tests, numbers as strings, timestamps without offset
        yield return $"[{Cond("baskets.show_id", "=", w.AllShows[0].Id.ToString())}]";
        yield return $"[{Cond("client.email", "like", "\"buyer1%\"")}]";
        yield return $"[{Cond("deleted_at", "not null", "null")}]";
        yield return $"[{Cond("payed_at", "null", "null")},{Cond("price", ">", "\"1000\"")}]";
        yield return $"[{Cond("updated_at", ">", "\"2026-11-19 12:00:00\"")}]";
        yield return $"[{Cond("baskets.refunded_at", "not null", "null")},{Cond("id", ">", mid.ToString())}]";
    }

    private static readonly string[] OrderBys =
        ["{\"id\":\"asc\"}", "", "{\"id\":\"desc\"}", "{\"updated_at\":\"desc\"}", "{\"payed_at\":\"asc\",\"price\":\"desc\"}", "[[\"event_id\",\"asc\"]]"];

    private static QuerySpec Spec(string where, string orderBy, int page, int perPage)
    {
        var body = $"{{\"where\":{where}{(orderBy.Length > 0 ? ",\"orderBy\":" + orderBy : "")},\"page\":{page},\"perPage\":{perPage},\"per_page\":{perPage}}}";
        return QuerySpec.Parse(JNode.Parse(body));
    }

    /// <summary>
    /// A page as the server renders it, but with each item as its id: items are the very same stored objects on
    /// both paths (the HTTP test below compares whole bodies).
    /// </summary>
    private static string Render(QueryEngine.PageResult r) =>
        $"[{string.Join(",", r.Items.Select(d => d.Id))}],{r.Total},{r.PerPage},{r.Page}";

    /// <summary>Every page (and one past the end) of the query, cached and direct, compared item by item.</summary>
    private static int ComparePages(IResourceSet set, QueryCache cache, string where, string orderBy, int perPage, bool everyPage = true)
    {
        var pages = 0;
        for (var page = 1; ; page++)
        {
            var direct = QueryEngine.RunDirect(set, Spec(where, orderBy, page, perPage), 1000);
            var cached = QueryEngine.Run(set, Spec(where, orderBy, page, perPage), 1000, null, cache);
            Assert.True(Render(direct) == Render(cached), $"where {where} orderBy {orderBy} page {page}: cached answer differs");
            pages++;
            if (direct.Items.Count == 0) break;
            if (!everyPage && page >= 2) page = Math.Max(page, (direct.Total - 1) / perPage - 1); // first two and last two
        }
        return pages;
    }

    [Fact]
    public void Cached_pages_equal_the_direct_answer_for_every_query_shape_before_and_after_the_clock_moves()
    {
        var w = NewWorld();
        var cache = new QueryCache(capacity: 10_000); // every query's answer stays cached across the advances
        var firstPages = new List<(string Where, string OrderBy, string First)>();
        foreach (var (where, ob, perPage, every) in Queries(w))
        {
            ComparePages(w.OrdersSet, cache, where, ob, perPage, every);
            firstPages.Add((where, ob, Render(QueryEngine.RunDirect(w.OrdersSet, Spec(where, ob, 1, 50), 1000))));
        }
        Assert.True(cache.Hits > 0, "the pages after the first come from the cache");

        // The clock creates orders and pays, expires, cancels and refunds old ones: nothing cached may survive it.
        var changed = 0;
        foreach (var hours in new[] { 20, 1, 6 })
        {
            var r = w.Advance(hours * 3600);
            Assert.True(r.Created > 0, $"advance {hours} h created orders");
            foreach (var (where, ob, perPage, every) in Queries(w))
                ComparePages(w.OrdersSet, cache, where, ob, perPage, every);
            changed += firstPages.Count(x => Render(QueryEngine.RunDirect(w.OrdersSet, Spec(x.Where, x.OrderBy, 1, 50), 1000)) != x.First);
        }
        Assert.True(changed > 0, "the advances changed some answers (else the comparison after them proves nothing)");
    }

    [Fact]
    public void A_read_interleaved_with_clock_advances_gets_the_direct_answer_on_every_page()
    {
        // The module's read: pages of a snapshot by number, the clock moving between them, then a keyset sweep.
        var w = NewWorld(3000, seed: 3);
        var cache = new QueryCache();
        var where = $"[{Cond("updated_at", ">=", $"\"{Since}\"")}]";
        var last = 0L;
        for (var page = 1; page <= 12; page++)
        {
            var spec = Spec(where, "{\"id\":\"asc\"}", page, 200);
            var direct = QueryEngine.RunDirect(w.OrdersSet, spec, 1000);
            Assert.Equal(Render(direct), Render(QueryEngine.Run(w.OrdersSet, spec, 1000, null, cache)));
            if (direct.Items.Count > 0) last = direct.Items[^1].Id;
            if (page % 3 == 0) w.Advance(3600 * page);
        }
        for (var sweep = 0; sweep < 4; sweep++)
        {
            var after = $"[{where[1..^1]},{Cond("id", ">", last.ToString())}]";
            var spec = Spec(after, "{\"id\":\"asc\"}", 1, 200);
            var direct = QueryEngine.RunDirect(w.OrdersSet, spec, 1000);
            Assert.Equal(Render(direct), Render(QueryEngine.Run(w.OrdersSet, spec, 1000, null, cache)));
            if (direct.Items.Count == 0) break;
            last = direct.Items[^1].Id;
            w.Advance(7200);
        }
        Assert.True(cache.Misses >= 4, $"every advance made the cached answer stale ({cache.Misses} misses)");
    }

    [Fact]
    public void Other_resources_and_fixture_lists_are_cached_correctly_too()
    {
        var w = NewWorld(1500);
        var cache = new QueryCache();
        var clientId = w.ClientId(300);
        foreach (var (set, where) in new (IResourceSet, string)[]
        {
            (w.ClientsSet, $"[{Cond("id", ">", clientId.ToString())}]"),
            (w.ClientsSet, $"[{Cond("email", "like", "\"buyer1%\"")},{Cond("id", "<=", clientId.ToString())}]"),
            (w.ClientsSet, $"[{Cond("details.name", "=", "\"Name5\"")}]"),
            (w.EventsSet, $"[{Cond("id", ">", w.Events[3].Id.ToString())}]"),
            (w.EventsSet, $"[{Cond("city.id", "in", "[1,2,22]")}]"),
            (w.PromoCodesSet, $"[{Cond("deleted_at", "null", "null")}]"),
        })
            foreach (var ob in new[] { "{\"id\":\"asc\"}", "", "{\"created_at\":\"desc\"}" })
                ComparePages(set, cache, where, ob, 7);

        var fixtures = Store.FromFixtures(Fixtures.Dir);
        foreach (var set in new[] { fixtures.Orders, fixtures.PromoCodes, fixtures.Events })
            foreach (var where in new[] { "[]", $"[{Cond("id", ">", "0")}]", $"[{Cond("created_at", ">=", "\"2025-01-01\"")}]" })
                foreach (var ob in new[] { "{\"id\":\"asc\"}", "", "{\"id\":\"desc\"}" })
                    ComparePages(set, cache, where, ob, 3);
    }

    [Theory]
    [InlineData("2026-11-19T12:00:00+03:00")]
    [InlineData("2026-11-19T09:00:00Z")]
    [InlineData("2026-11-19 12:00:00")]
    [InlineData("2026-11-19T12:00:00.500+0300")]
    [InlineData("2026-11-19")]
    [InlineData("2026-13-45T00:00:00+03:00")]
    [InlineData("1700000")]
    [InlineData("17000000000")]
    [InlineData("abc")]
    [InlineData("")]
    public void A_query_value_read_as_an_instant_once_compares_like_the_plain_value(string text)
    {
        var node = new JString(text);
        var plain = Val.FromNode(node);
        var query = Val.FromQueryNode(node);
        Assert.Equal(plain.TryInstant(out var u1), query.TryInstant(out var u2));
        Assert.Equal(u1, u2);
        var ts = Time.From(DateTimeOffset.Parse("2026-11-19T12:00:00+03:00", CultureInfo.InvariantCulture));
        foreach (var other in new[] { Val.T(ts), Val.T(ts - 1), Val.T(ts + 1), Val.N(1700000), Val.B(true), Val.S("2026-11-19T12:00:00+03:00"), Val.S("abc"), Val.Null })
        {
            Assert.Equal(Val.Compare(other, plain), Val.Compare(other, query));
            Assert.Equal(Val.Compare(plain, other), Val.Compare(query, other));
            Assert.Equal(Val.SortCompare(other, plain), Val.SortCompare(other, query));
        }
    }

    [Fact]
    public void Entries_are_bounded_and_evicted_least_recently_used()
    {
        var w = NewWorld(800);
        var cache = new QueryCache(capacity: 3);
        string W(int k) => $"[{Cond("event_id", "!=", k.ToString())}]";
        for (var k = 0; k < 5; k++) QueryEngine.Run(w.OrdersSet, Spec(W(k), "", 1, 10), 1000, null, cache);
        Assert.Equal(3, cache.Count);
        Assert.Equal(5, cache.Misses);
        QueryEngine.Run(w.OrdersSet, Spec(W(4), "", 2, 10), 1000, null, cache);
        Assert.Equal(1, cache.Hits);
        QueryEngine.Run(w.OrdersSet, Spec(W(0), "", 2, 10), 1000, null, cache); // evicted long ago
        Assert.Equal(6, cache.Misses);
        Assert.Equal(3, cache.Count);
    }

    /// <summary>End to end: two sandboxes of the same seed, one caching and one not, asked the same things.</summary>
    [Fact]
    public async Task Served_bytes_are_the_same_with_and_without_the_cache_through_advances_and_faults()
    {
        static void Opt(Server.SandboxOptions o, bool cache)
        {
            o.Seed = 5; o.Orders = 4000; o.RatePerHour = 60; o.DefaultPerPage = 200; o.QueryCache = cache;
            o.Faults = """{"rules":[{"type":"truncate","path":"/orders","skip":5,"count":2},{"type":"503","path":"/orders","probability":0.05}]}""";
        }
        await using var a = await Sandbox.StartAsync(o => Opt(o, true));
        await using var b = await Sandbox.StartAsync(o => Opt(o, false));

        async Task<string> Both(string body)
        {
            var (sa, ba, _) = await a.GetAsync("/orders", body);
            var (sb, bb, _) = await b.GetAsync("/orders", body);
            Assert.Equal(sb, sa);
            Assert.True(bb == ba, $"body {body}: cached sandbox answered differently");
            return ba;
        }
        async Task Advance(string json)
        {
            var ra = await a.ControlAsync(HttpMethod.Post, "/_sandbox/clock/advance", json);
            var rb = await b.ControlAsync(HttpMethod.Post, "/_sandbox/clock/advance", json);
            Assert.Equal(rb.GetRawText(), ra.GetRawText());
        }

        var windows = new[]
        {
            $"[{Cond("updated_at", ">=", $"\"{Since}\"")}]",
            $"[{Cond("payed", "=", "1")},{Cond("payed_at", ">=", $"\"{Since}\"")},{Cond("payed_at", "<", $"\"{Now}\"")}]",
            $"[{Cond("created_at", ">=", $"\"{Since}\"")},{Cond("created_at", "<", $"\"{Now}\"")}]",
        };
        var step = 0;
        foreach (var where in windows)
        {
            for (var page = 1; page <= 21; page++)
            {
                await Both($"{{\"where\":{where},\"orderBy\":{{\"id\":\"asc\"}},\"page\":{page},\"perPage\":200,\"per_page\":200}}");
                if (++step % 7 == 0) await Advance("{\"hours\":5}");
            }
            await Both($"{{\"where\":[{where[1..^1]},{Cond("id", ">", "1702000")}],\"orderBy\":{{\"id\":\"asc\"}},\"page\":1}}");
            await Both($"{{\"where\":{where},\"orderBy\":{{\"updated_at\":\"desc\"}},\"page\":3}}");
        }
        await Both("{\"page\":4}");
        var info = await a.ControlAsync(HttpMethod.Get, "/_sandbox/info");
        Assert.True(info.GetProperty("queryCache").GetProperty("hits").GetInt64() > 40, info.GetRawText());
        Assert.Equal(0, (await b.ControlAsync(HttpMethod.Get, "/_sandbox/info")).GetProperty("queryCache").GetProperty("hits").GetInt64());
    }
}
