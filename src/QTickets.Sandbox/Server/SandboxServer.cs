using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using QTickets.Sandbox.Data;
using QTickets.Sandbox.Json;

namespace QTickets.Sandbox.Server;

/// <summary>
/// The sandbox HTTP server: one catch-all handler that routes like QTickets' nginx + Laravel stack.
/// Order of checks for an API request: faults (latency, phases, rules) → route (unknown → HTML 404) →
/// bearer token (403) → request shape (where in query string / POST on a list → 503) → data.
/// </summary>
public sealed class SandboxServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SandboxOptions _opt;
    internal Store Store { get; }
    internal FaultEngine Faults { get; }
    internal Stats Stats { get; } = new();
    /// <summary>Wrong answers on purpose (<see cref="Server.Lies"/>); replaced whole, read under <see cref="Store.Sync"/>.</summary>
    internal Lies Lies { get; private set; } = new();
    /// <summary>Webhook deliveries of the world's changes (configured with --webhook-url or POST /_sandbox/webhooks).</summary>
    internal WebhookDispatcher Webhooks { get; }

    /// <summary>e.g. http://127.0.0.1:54321 (no trailing slash)</summary>
    public string RootUrl { get; private set; } = "";
    /// <summary>e.g. http://127.0.0.1:54321/api/rest/v1 — a client's base URL.</summary>
    public string BaseUrl => RootUrl + SandboxOptions.BasePath;
    public string Token => _opt.Token;

    private static readonly byte[] NotFoundHtml = LoadResource("not_found.html");
    private static readonly byte[] BadGatewayHtml = Encoding.ASCII.GetBytes(
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body bgcolor=\"white\">\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.14.1</center>\r\n</body>\r\n</html>\r\n");
    private static readonly byte[] GatewayTimeoutHtml = Encoding.ASCII.GetBytes(
        "<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body bgcolor=\"white\">\r\n<center><h1>504 Gateway Time-out</h1></center>\r\n<hr><center>nginx/1.14.1</center>\r\n</body>\r\n</html>\r\n");
    // Both 503 variants seen in production: POST /orders (curl) and GET with where= in the query (loader log).
    internal static readonly byte[] Err503 = Encoding.ASCII.GetBytes("{\"error\":\"Unknown error\",\"status\":503,\"code\":\"UNKNOWN_ERROR\",\"info\":[]}");
    internal static readonly byte[] Err503Lower = Encoding.ASCII.GetBytes("{\"error\":\"unknown error\",\"status\":503,\"code\":\"UNKNOWN_ERROR\"}");

    private static byte[] LoadResource(string name)
    {
        using var s = typeof(SandboxServer).Assembly.GetManifestResourceStream("QTickets.Sandbox.Resources." + name)
            ?? throw new InvalidOperationException("missing resource " + name);
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }

    private SandboxServer(WebApplication app, SandboxOptions opt, Store store)
    {
        _app = app;
        _opt = opt;
        Store = store;
        Faults = new FaultEngine(unchecked((int)opt.Seed));
        // No lock: an int read is atomic, and advances enqueue deliveries while holding Store.Sync.
        Webhooks = new WebhookDispatcher(() => store.World?.Now ?? 0);
    }

    public static async Task<SandboxServer> StartAsync(SandboxOptions opt, CancellationToken ct = default)
    {
        Store store;
        if (opt.FixturesDir is not null) store = Store.FromFixtures(opt.FixturesDir);
        else store = new Store(new World(new World.Options(opt.Seed, opt.Orders, opt.Events, opt.Now, opt.HistoryDays, opt.RatePerHour)));
        foreach (var kv in opt.TotalOverrides) store.TotalOverrides[kv.Key] = kv.Value;
        foreach (var kv in opt.PerPageOverrides) store.PerPageOverrides[kv.Key] = kv.Value;
        store.NoPaging.UnionWith(opt.NoPaging);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        if (!opt.Quiet) builder.Logging.AddSimpleConsole().AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = 10 * 1024 * 1024;
            if (opt.Urls is null) k.Listen(IPAddress.Loopback, opt.Port);
        });
        if (opt.Urls is not null) builder.WebHost.UseUrls(opt.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries));
        var app = builder.Build();
        var server = new SandboxServer(app, opt, store);
        if (opt.Faults is { Length: > 0 } f) server.Faults.Set(FaultSpec.Parse(ResolveFaults(f)));
        if (opt.WebhookUrl is not null)
            server.Webhooks.Configure(new JObject().Add("url", opt.WebhookUrl).Add("secret", opt.WebhookSecret ?? ""));
        if (opt.Lies is { Length: > 0 } l) server.Lies = Lies.Parse(l.Trim().StartsWith('@') ? File.ReadAllText(l.Trim()[1..]) : l);
        app.Run(server.HandleAsync);
        await app.StartAsync(ct);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        var first = addresses.First().TrimEnd('/');
        server.RootUrl = first.Replace("://[::]", "://127.0.0.1").Replace("://0.0.0.0", "://127.0.0.1").Replace("://localhost", "://127.0.0.1");
        return server;
    }

    internal static string ResolveFaults(string v)
    {
        v = v.Trim();
        if (v.StartsWith('@')) return File.ReadAllText(v[1..]);
        if (v.StartsWith('{')) return v;
        return FaultSpec.Profile(v);
    }

    public Task WaitForShutdownAsync(CancellationToken ct = default) => _app.WaitForShutdownAsync(ct);

    public async ValueTask DisposeAsync()
    {
        await Webhooks.DisposeAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    // ------------------------------------------------------------------ responses

    private sealed record Resp(int Status, string ContentType, byte[] Body, string Kind)
    {
        public string? RetryAfter { get; init; }
        /// <summary>The instant the answer was made: its Date header, so an HTTP-date Retry-After reads exactly.</summary>
        public DateTimeOffset? Stamped { get; init; }
    }

    private static Resp Json(int status, byte[] body) => new(status, "application/json", body, status == 200 ? "ok" : "json-error");
    private static Resp Json(int status, JNode node) => Json(status, PhpJsonWriter.Render(node));
    private static Resp Html404() => new(404, "text/html; charset=UTF-8", NotFoundHtml, "html-404");

    private static Resp NotFoundJson(string resource, long id) => Json(404, new JObject()
        .Add("error", $"Resource \"{resource}\" not found").Add("status", 404L).Add("code", "RESOURCE_NOT_FOUND")
        .Add("info", new JObject().Add("id", id).Add("resource", resource)));

    private static void ApplyHeaders(HttpResponse r, Resp resp)
    {
        var h = r.Headers;
        h["Server"] = "nginx/1.14.1";
        h.ContentType = resp.ContentType;
        h["Connection"] = "keep-alive";
        switch (resp.Kind)
        {
            case "ok":
                h["Vary"] = "Accept-Encoding";
                h.CacheControl = "no-cache, private";
                h["X-Cache-Status"] = "MISS";
                h["Strict-Transport-Security"] = "max-age=31536000";
                break;
            case "html-404":
                h["Vary"] = "Accept-Encoding";
                h.CacheControl = "no-cache, private";
                h["Strict-Transport-Security"] = "max-age=31536000";
                break;
            case "nginx":
                break; // nginx's own error pages carry no application headers
            default:
                h.CacheControl = "no-cache, private";
                h["Strict-Transport-Security"] = "max-age=31536000";
                break;
        }
        if (resp.RetryAfter is not null)
        {
            h["Retry-After"] = resp.RetryAfter;
            // An HTTP-date Retry-After is read against the Date header. Kestrel's Date is refreshed by a once-a-second
            // heartbeat and can lag a second or more on a busy machine; nginx stamps it per answer, so do that here.
            if (resp.Stamped is { } at) h.Date = at.ToString("R", CultureInfo.InvariantCulture);
        }
    }

    // ------------------------------------------------------------------ pipeline

    private async Task HandleAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "/";
        if (path.StartsWith("/_sandbox", StringComparison.Ordinal))
        {
            await ControlAsync(ctx, path);
            return;
        }

        var method = ctx.Request.Method;
        var underBase = path.StartsWith(SandboxOptions.BasePath + "/", StringComparison.Ordinal) || path == SandboxOptions.BasePath;
        var rel = underBase ? path[SandboxOptions.BasePath.Length..] : path;
        var route = underBase ? RouteOf(method, rel) : ("other", null);

        var decision = underBase ? Faults.Decide(method, rel, route.Kind == Kind.List) : default;
        if (decision.LatencyMs > 0)
        {
            try { await Task.Delay(decision.LatencyMs, ctx.RequestAborted); }
            catch (OperationCanceledException) { Stats.Record(route.Template, "client-aborted", null); return; }
        }

        string? fault = null;
        Resp resp;
        FaultSpec.FaultRule? delivery = null;
        if (decision.RateLimitedFor is int wait)
        {
            // The API's JSON error shape, as its other errors have it; Retry-After says when a token is free again.
            resp = Json(429, new JObject().Add("error", "Too Many Requests").Add("status", 429L)) with
            {
                RetryAfter = wait.ToString(CultureInfo.InvariantCulture),
            };
            fault = "ratelimit";
        }
        else if (decision.Phase503) { resp = Json(503, Err503); fault = "503-phase"; }
        else if (decision.Rule is { } rule)
        {
            fault = rule.Type;
            switch (rule.Type)
            {
                case "503": resp = Json(503, Err503); break;
                case "429":
                    var stamped = DateTimeOffset.UtcNow;
                    resp = Json(429, new JObject().Add("error", "Too Many Requests").Add("status", 429L)) with
                    {
                        RetryAfter = rule.RetryAfterFormat == "date"
                            ? stamped.AddSeconds(rule.RetryAfter).ToString("R", CultureInfo.InvariantCulture)
                            : rule.RetryAfter.ToString(CultureInfo.InvariantCulture),
                        Stamped = stamped,
                    };
                    break;
                case "502": resp = new Resp(502, "text/html", BadGatewayHtml, "nginx"); break;
                case "504": resp = new Resp(504, "text/html", GatewayTimeoutHtml, "nginx"); break;
                case "paging": resp = await ApiAsync(ctx, method, rel, route, rule); break;
                default: // reset / truncate: serve the real answer, deliver it broken
                    delivery = rule;
                    resp = underBase ? await ApiAsync(ctx, method, rel, route) : Html404();
                    break;
            }
        }
        else resp = underBase ? await ApiAsync(ctx, method, rel, route) : Html404();

        var status = await SendAsync(ctx, resp, delivery);
        if (underBase || fault is not null) Stats.Record(route.Template, status, fault);
        else Stats.Record("other", status, null);
    }

    private async Task<string> SendAsync(HttpContext ctx, Resp resp, FaultSpec.FaultRule? delivery)
    {
        var r = ctx.Response;
        r.StatusCode = resp.Status;
        ApplyHeaders(r, resp);
        if (HttpMethods.IsHead(ctx.Request.Method)) return resp.Status.ToString(CultureInfo.InvariantCulture);
        var body = resp.Body;
        if (delivery is null)
        {
            if (resp.Kind == "nginx") r.ContentLength = body.Length;
            await r.Body.WriteAsync(body, ctx.RequestAborted);
            return resp.Status.ToString(CultureInfo.InvariantCulture);
        }
        var n = delivery.Bytes ?? (int)(body.Length * delivery.Fraction);
        n = Math.Clamp(n, 0, Math.Max(0, body.Length - 1));
        if (delivery.Type == "reset")
        {
            // headers + part of a chunked body, then the connection is torn down
            await r.Body.WriteAsync(body.AsMemory(0, n), ctx.RequestAborted);
            await r.Body.FlushAsync(ctx.RequestAborted);
            await Task.Delay(20);
            ctx.Abort();
            return "reset";
        }
        // truncate: a well-terminated 200 whose JSON is cut short
        if (delivery.ContentLength) r.ContentLength = n;
        await r.Body.WriteAsync(body.AsMemory(0, n), ctx.RequestAborted);
        return resp.Status.ToString(CultureInfo.InvariantCulture) + "-truncated";
    }

    private enum Kind { None, List, ById, Seats, PostList, ColorThemes }

    private readonly record struct Route(string Template, Kind Kind, Func<Store, IResourceSet>? Set, string? Id)
    {
        public static implicit operator Route((string t, object? _) x) => new(x.t, Kind.None, null, null);
    }

    private static Route RouteOf(string method, string rel)
    {
        var segs = rel.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        var get = method is "GET" or "HEAD";
        Func<Store, IResourceSet>? SetFor(string name) => name switch
        {
            "orders" => s => s.Orders,
            "events" => s => s.Events,
            "clients" => s => s.Clients,
            "discounts" => s => s.Discounts,
            "promo-codes" => s => s.PromoCodes,
            _ => null,
        };
        if (segs.Length == 1 && SetFor(segs[0]) is { } set)
        {
            if (get) return new Route("/" + segs[0], Kind.List, set, null);
            if (method == "POST" && segs[0] is "orders" or "events" or "clients" or "promo-codes")
                return new Route("/" + segs[0], Kind.PostList, set, null);
        }
        if (segs.Length == 2 && get && SetFor(segs[0]) is { } set2)
            return new Route($"/{segs[0]}/{{id}}", Kind.ById, set2, segs[1]);
        if (segs.Length == 3 && get && segs[0] == "shows" && segs[2] == "seats")
            return new Route("/shows/{id}/seats", Kind.Seats, null, segs[1]);
        if (segs.Length == 1 && get && segs[0] == "color-themes")
            return new Route("/color-themes", Kind.ColorThemes, null, null);
        return new Route("other", Kind.None, null, null);
    }

    private static readonly string[] s_colorThemes =
    {
        "#d80000", "#ff7a00", "#ffc400", "#8fd400", "#00a651", "#00b5ad", "#00a2e8", "#0054a6",
        "#662d91", "#c2185b", "#8d6e63", "#546e7a", "#212121", "#9e9e9e", "#f06292",
    };

    private static string ResourceKey(Route r) => r.Template.Split('/', StringSplitOptions.RemoveEmptyEntries)[0];

    private async Task<Resp> ApiAsync(HttpContext ctx, string method, string rel, Route route, FaultSpec.FaultRule? lie = null)
    {
        if (route.Kind == Kind.None) return Html404();

        var auth = ctx.Request.Headers.Authorization.ToString();
        if (auth.Length == 0)
            return Json(403, new JObject().Add("error", "Token not provided").Add("status", 403L));
        if (!auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || auth[7..].Trim() != _opt.Token)
            return Json(403, new JObject().Add("error", "Invalid token").Add("status", 403L));

        // POST on a list: production's create endpoints; a filter body there → 503 (nothing is created here).
        if (route.Kind == Kind.PostList) { await ReadBodyAsync(ctx); return Json(503, Err503); }

        if (ctx.Request.Query.ContainsKey("where")) return Json(503, Err503Lower);

        var body = await ReadBodyAsync(ctx);
        QuerySpec q;
        try { q = QuerySpec.Parse(body); }
        catch (QueryException) { return Json(503, Err503); }
        if (_opt.HonourQueryPage && (body is not JObject bo || !bo.Has("page")) &&
            int.TryParse(ctx.Request.Query["page"], out var qp) && qp > 0)
            q.Page = qp;

        lock (Store.Sync)
        {
            switch (route.Kind)
            {
                case Kind.List:
                {
                    var set = route.Set!(Store);
                    var now = Store.World?.Now ?? 0;
                    // A hidden event is absent from the set itself, so totals and pages agree with each other.
                    if (set == Store.Events && Lies.HidesAnyEvent(now))
                        set = new NodeSet(set.Resource, set.DefaultPerPage,
                            Enumerable.Range(0, set.Count).Select(set.GetAt).Where(d => !Lies.HidesEvent(d.Id, now)));
                    var lieToOrders = set == Store.Orders;
                    var res = QueryEngine.Run(set, q, _opt.MaxPerPage, _opt.DefaultPerPage, _opt.QueryCache ? Store.QueryCache : null);
                    var key = ResourceKey(route);
                    var items = res.Items;
                    if (lie is { Drop: > 0 } && items.Count >= 3)
                    {
                        // Rows cut from the middle: the page still starts and ends where it should, only shorter.
                        var n = Math.Min(lie.Drop, items.Count - 2);
                        var start = (items.Count - n) / 2;
                        items = items.Take(start).Concat(items.Skip(start + n)).ToList();
                    }
                    var w = new PhpJsonWriter(Math.Max(4096, items.Count * 4096));
                    w.RawAscii("{\"data\":[");
                    for (var i = 0; i < items.Count; i++)
                    {
                        if (i > 0) w.Raw((byte)',');
                        var node = items[i].ToNode();
                        if (lieToOrders) node = Lies.Order(node, items[i].Id, now);
                        w.Write(q.Select is { Count: > 0 } sel ? QueryEngine.Project(node, sel) : node);
                    }
                    w.RawAscii("]");
                    if (!(lie?.Omit == true || Store.NoPaging.Contains(key)))
                    {
                        var total = lie?.Total ?? (Store.TotalOverrides.TryGetValue(key, out var ov) ? ov : res.Total);
                        var perPage = lie?.PerPage ?? (Store.PerPageOverrides.TryGetValue(key, out var pp) ? pp : res.PerPage);
                        w.RawAscii($",\"paging\":{{\"perPage\":{perPage},\"currentPage\":{res.Page},\"total\":{total}}}");
                    }
                    w.RawAscii("}");
                    return Json(200, w.ToArray());
                }
                case Kind.ById:
                {
                    var set = route.Set!(Store);
                    var id = PhpIntVal(route.Id!);
                    var doc = set.FindById(id);
                    var now = Store.World?.Now ?? 0;
                    if (doc is null || (set == Store.Events && Lies.HidesEvent(id, now))) return NotFoundJson(set.Resource, id);
                    var node = doc.ToNode();
                    if (set == Store.Orders) node = Lies.Order(node, id, now);
                    if (q.Select is { Count: > 0 } sel) node = QueryEngine.Project(node, sel);
                    return Json(200, new JObject().Add("data", node));
                }
                case Kind.ColorThemes:
                {
                    // The documented list: fifteen price colours, ids 1-15, one unpaged answer.
                    var data = new JArray(s_colorThemes.Select((c, i) => (JNode)new JObject().Add("id", (long)(i + 1)).Add("color", c)));
                    return Json(200, new JObject().Add("data", data));
                }
                case Kind.Seats:
                {
                    var id = PhpIntVal(route.Id!);
                    var world = Store.World;
                    if (world is null || !world.ShowById.TryGetValue((int)Math.Clamp(id, 0, int.MaxValue), out var show))
                        return NotFoundJson("Show", id);
                    var seats = world.SeatNodes(show);
                    var data = new JObject();
                    var zones = new JObject();
                    foreach (var s in seats)
                    {
                        var doc = new NodeDoc(s);
                        if (!QueryEngine.Matches(doc, q.Where)) continue;
                        var key = ((JString)s["id"]!).Value;
                        var outNode = q.Select is { Count: > 0 } sel ? QueryEngine.Project(s, sel) : s;
                        if (q.Flat) data.Add(key, outNode);
                        else
                        {
                            var zone = ((JString)s["zone_id"]!).Value;
                            if (zones[zone] is not JObject z) { z = new JObject().Add("seats", new JObject()); zones.Add(zone, z); }
                            ((JObject)z["seats"]!).Add(key, outNode);
                        }
                    }
                    return Json(200, new JObject().Add("data", q.Flat ? data : new JObject().Add("zones", zones)));
                }
            }
        }
        return Html404();
    }

    /// <summary>PHP (int) cast of a path segment: leading digits, otherwise 0.</summary>
    private static long PhpIntVal(string s)
    {
        var n = 0;
        while (n < s.Length && n < 18 && char.IsAsciiDigit(s[n])) n++;
        return n == 0 ? 0 : long.Parse(s.AsSpan(0, n), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The JSON body of the request, read like Laravel does: only with a JSON Content-Type; an empty or
    /// unparsable body counts as no input (the default first page).
    /// </summary>
    private static async Task<JNode?> ReadBodyAsync(HttpContext ctx)
    {
        var req = ctx.Request;
        using var ms = new MemoryStream();
        await req.Body.CopyToAsync(ms, ctx.RequestAborted);
        if (ms.Length == 0) return null;
        var ct = req.ContentType ?? "";
        if (!ct.Contains("json", StringComparison.OrdinalIgnoreCase)) return null;
        try { return JNode.Parse(ms.GetBuffer().AsSpan(0, (int)ms.Length)); }
        catch (System.Text.Json.JsonException) { return null; }
    }

    // ------------------------------------------------------------------ /_sandbox/ control

    private async Task ControlAsync(HttpContext ctx, string path)
    {
        var m = ctx.Request.Method;
        var p = path.TrimEnd('/');
        JNode? result = null;
        var status = 200;
        try
        {
            switch (m, p)
            {
                case ("GET", "/_sandbox/health"):
                    result = new JObject().Add("ok", true);
                    break;
                case ("GET", "/_sandbox/info"):
                    lock (Store.Sync) result = Info();
                    break;
                case ("GET", "/_sandbox/clock"):
                    lock (Store.Sync) result = ClockNode();
                    break;
                case ("POST", "/_sandbox/clock/advance"):
                {
                    var w = Store.World ?? throw new InvalidOperationException("the clock does not run in fixture mode");
                    var body = await ReadJsonAsync(ctx) as JObject ?? new JObject();
                    double Num(string k) => body[k] is JNumber n ? n.AsDouble() : 0;
                    var secs = (int)Math.Round(Num("seconds") + Num("minutes") * 60 + Num("hours") * 3600 + Num("days") * 86400);
                    if (secs <= 0) throw new ArgumentException("give a positive seconds/minutes/hours/days");
                    lock (Store.Sync)
                    {
                        var r = w.Advance(secs);
                        result = new JObject().Add("from", r.From).Add("now", r.To).Add("created", r.Created).Add("paid", r.Paid)
                            .Add("expired", r.Expired).Add("cancelled", r.Cancelled).Add("refunded", r.Refunded)
                            .Add("cancelledPaid", r.CancelledPaid).Add("changedOrders", r.Changed).Add("orders", w.Orders.Count);
                        if (Webhooks.Enabled)
                            foreach (var (order, eventType) in w.LastEvents) Webhooks.Enqueue(order.OrderId, eventType, OrderBody(order.OrderId));
                    }
                    Webhooks.Kick();
                    break;
                }
                case ("GET", "/_sandbox/webhooks"):
                    result = Webhooks.Describe();
                    break;
                case ("POST", "/_sandbox/webhooks"):
                case ("PUT", "/_sandbox/webhooks"):
                    Webhooks.Configure(await ReadJsonAsync(ctx) as JObject ?? throw new ArgumentException("give a JSON object"));
                    result = Webhooks.Describe();
                    break;
                case ("DELETE", "/_sandbox/webhooks"):
                    Webhooks.Disable();
                    result = Webhooks.Describe();
                    break;
                case ("POST", "/_sandbox/webhooks/flush"):
                {
                    var flushed = await Webhooks.FlushAsync(TimeSpan.FromSeconds(120));
                    result = Webhooks.Describe().Add("flushed", flushed);
                    break;
                }
                case ("POST", "/_sandbox/webhooks/send"):
                {
                    // Any order's current state with any event type (updated, checked: the world's life cycle makes neither).
                    var body = await ReadJsonAsync(ctx) as JObject ?? throw new ArgumentException("give {\"order_id\":N,\"event\":\"updated\"}");
                    var id = body["order_id"] is JNumber n ? (long)n.AsDouble() : throw new ArgumentException("order_id is required");
                    var kind = body["event"] is JString k ? k.Value : "updated";
                    if (kind is not ("created" or "updated" or "payed" or "deleted" or "refunded" or "checked"))
                        throw new ArgumentException($"event must be created, updated, payed, deleted, refunded or checked, not '{kind}'");
                    if (!Webhooks.Enabled) throw new InvalidOperationException("no webhook url configured");
                    lock (Store.Sync)
                    {
                        if (Store.Orders.FindById(id) is null) throw new ArgumentException($"no order {id}");
                        Webhooks.Enqueue(id, kind, OrderBody(id));
                    }
                    Webhooks.Kick();
                    result = Webhooks.Describe();
                    break;
                }
                case ("GET", "/_sandbox/truth"):
                    result = TruthNode(ctx);
                    break;
                case ("GET", "/_sandbox/faults"):
                    result = Faults.Describe();
                    break;
                case ("POST", "/_sandbox/faults"):
                case ("PUT", "/_sandbox/faults"):
                {
                    using var sr = new StreamReader(ctx.Request.Body);
                    var text = (await sr.ReadToEndAsync()).Trim();
                    if (text.StartsWith('"')) text = ((JString)JNode.Parse(text)).Value;
                    Faults.Set(FaultSpec.Parse(text.StartsWith('{') ? text : FaultSpec.Profile(text)));
                    result = Faults.Describe();
                    break;
                }
                case ("DELETE", "/_sandbox/faults"):
                    Faults.Clear();
                    result = Faults.Describe();
                    break;
                case ("GET", "/_sandbox/lies"):
                    lock (Store.Sync) result = Lies.Describe(Store.World?.Now ?? 0);
                    break;
                case ("POST", "/_sandbox/lies"):
                case ("PUT", "/_sandbox/lies"):
                {
                    using var sr = new StreamReader(ctx.Request.Body);
                    var lies = Lies.Parse((await sr.ReadToEndAsync()).Trim());
                    lock (Store.Sync) { Lies = lies; result = lies.Describe(Store.World?.Now ?? 0); }
                    break;
                }
                case ("DELETE", "/_sandbox/lies"):
                    lock (Store.Sync) { Lies = new Lies(); result = Lies.Describe(Store.World?.Now ?? 0); }
                    break;
                case ("GET", "/_sandbox/stats"):
                    result = Stats.ToNode();
                    break;
                case ("DELETE", "/_sandbox/stats"):
                case ("POST", "/_sandbox/stats/reset"):
                    Stats.Reset();
                    result = Stats.ToNode();
                    break;
                default:
                    status = 404;
                    result = new JObject().Add("error", $"unknown control endpoint {m} {p}").Add("endpoints", new JArray(new[]
                    {
                        "GET /_sandbox/health", "GET /_sandbox/info", "GET /_sandbox/clock", "POST /_sandbox/clock/advance",
                        "GET /_sandbox/truth", "GET|POST|DELETE /_sandbox/webhooks", "POST /_sandbox/webhooks/flush", "POST /_sandbox/webhooks/send",
                        "GET|POST|DELETE /_sandbox/faults", "GET|POST|DELETE /_sandbox/lies", "GET|DELETE /_sandbox/stats", "POST /_sandbox/stats/reset",
                    }.Select(s => (JNode)new JString(s))));
                    break;
            }
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException or System.Text.Json.JsonException or IOException)
        {
            status = 400;
            result = new JObject().Add("error", ex.Message);
        }
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        ctx.Response.Headers.CacheControl = "no-cache";
        await ctx.Response.Body.WriteAsync(PhpJsonWriter.Render(result!));
    }

    private static async Task<JNode?> ReadJsonAsync(HttpContext ctx)
    {
        using var ms = new MemoryStream();
        await ctx.Request.Body.CopyToAsync(ms);
        return ms.Length == 0 ? null : JNode.Parse(ms.ToArray());
    }

    /// <summary>An order as `/orders/{id}` serves it now (lies included): a webhook's body. Called under Store.Sync.</summary>
    private byte[] OrderBody(long id)
    {
        var now = Store.World?.Now ?? 0;
        return PhpJsonWriter.Render(Lies.Order(Store.Orders.FindById(id)!.ToNode(), id, now));
    }

    private JObject ClockNode()
    {
        var w = Store.World;
        return new JObject().Add("now", w is null ? null : Time.Render(w.Now)).Add("advances", w?.AdvanceCount ?? 0);
    }

    private JObject Info() => new JObject()
        .Add("mode", Store.Mode).Add("baseUrl", BaseUrl).Add("token", _opt.Token).Add("seed", _opt.Seed)
        .Add("now", Store.World is { } w ? Time.Render(w.Now) : null)
        .Add("orders", Store.Orders.Count).Add("events", Store.Events.Count).Add("clients", Store.Clients.Count)
        .Add("discounts", Store.Discounts.Count).Add("promoCodes", Store.PromoCodes.Count)
        .Add("ratePerHour", (decimal)(Store.World?.RatePerHour ?? 0))
        .Add("honourQueryPage", _opt.HonourQueryPage).Add("maxPerPage", _opt.MaxPerPage)
        .Add("queryCache", new JObject().Add("entries", (long)Store.QueryCache.Count).Add("hits", Store.QueryCache.Hits).Add("misses", Store.QueryCache.Misses));

    private JObject TruthNode(HttpContext ctx)
    {
        var w = Store.World ?? throw new InvalidOperationException("truth is only computed for generated data");
        var from = ctx.Request.Query["from"].ToString();
        var to = ctx.Request.Query["to"].ToString();
        long? eventId = long.TryParse(ctx.Request.Query["event_id"], out var e) ? e : null;
        List<World.TruthRow> rows;
        string now;
        lock (Store.Sync) { rows = w.Truth(); now = Time.Render(w.Now); }
        var arr = new JArray();
        int to_o = 0, to_t = 0;
        decimal to_r = 0;
        foreach (var r in rows)
        {
            if (from.Length > 0 && string.CompareOrdinal(r.Date, from) < 0) continue;
            if (to.Length > 0 && string.CompareOrdinal(r.Date, to) > 0) continue;
            if (eventId is not null && r.EventId != eventId) continue;
            arr.Items.Add(new JObject().Add("date", r.Date).Add("event_id", (long)r.EventId).Add("paid_orders", (long)r.PaidOrders)
                .Add("tickets", (long)r.Tickets).Add("revenue", r.Revenue));
            to_o += r.PaidOrders; to_t += r.Tickets; to_r += r.Revenue;
        }
        return new JObject().Add("now", now).Add("timezone", "Europe/Moscow").Add("definition", World.TruthDefinition)
            .Add("totals", new JObject().Add("paid_orders", (long)to_o).Add("tickets", (long)to_t).Add("revenue", to_r))
            .Add("rows", arr);
    }
}
