using System.Globalization;

namespace QTickets.Sandbox.Server;

public sealed class SandboxOptions
{
    public const string DefaultToken = "sandbox-token-0000";
    public const string BasePath = "/api/rest/v1";

    public int Port { get; set; } = 8765;
    public string? Urls { get; set; }
    public string Token { get; set; } = Environment.GetEnvironmentVariable("QTICKETS_SANDBOX_TOKEN") is { Length: > 0 } t ? t : DefaultToken;
    public long Seed { get; set; } = 1;
    public int Orders { get; set; } = 2000;
    public int Events { get; set; } = 12;
    public int HistoryDays { get; set; } = 60;
    public double? RatePerHour { get; set; }
    public DateTimeOffset Now { get; set; } = DateTimeOffset.Parse("2026-11-20T12:00:00+03:00", CultureInfo.InvariantCulture);
    public string? Faults { get; set; }
    /// <summary>Wrong answers on purpose (<see cref="Server.Lies"/>): a JSON spec or @file.</summary>
    public string? Lies { get; set; }
    public string? FixturesDir { get; set; }
    public Dictionary<string, int> TotalOverrides { get; } = new(StringComparer.OrdinalIgnoreCase);
    public Dictionary<string, int> PerPageOverrides { get; } = new(StringComparer.OrdinalIgnoreCase);
    public HashSet<string> NoPaging { get; } = new(StringComparer.OrdinalIgnoreCase);
    public static readonly string[] ListResources = ["orders", "events", "clients", "discounts", "promo-codes"];
    /// <summary>
    /// Whether ?page=N in the query string is honoured. Default false: production ignored every flat query
    /// parameter it was sent (the captures only ever sent page=1, so page is unproven either way); the
    /// sandbox takes the strict reading so a client that pages through the query string loops on page 1
    /// here instead of silently working against an assumption. --query-page turns it on.
    /// </summary>
    public bool HonourQueryPage { get; set; }
    public int MaxPerPage { get; set; } = 1000;
    /// <summary>Page size of a list request that names none (benchmarks: every client gets the same pages).</summary>
    public int? DefaultPerPage { get; set; }
    public bool Quiet { get; set; } = true;
    /// <summary>
    /// Answer page k of a list query from the cached answer of its where/orderBy (default). Off, every page
    /// filters and sorts the whole set again: the same bytes, quadratic time (kept as the reference for tests).
    /// </summary>
    public bool QueryCache { get; set; } = true;

    public const string Usage = """
        QTickets sandbox: a local QTickets REST v1 look-alike (base path /api/rest/v1).
          --port N              listen on 127.0.0.1:N (0 = any free port; default 8765)
          --urls URL[;URL]      Kestrel URLs instead of --port
          --token T             accepted bearer token (default sandbox-token-0000; env QTICKETS_SANDBOX_TOKEN)
          --seed N              data seed (default 1)
          --orders N            orders generated before "now" (default 2000)
          --events N            events (default 12; +1 deleted event)
          --history-days N      orders spread over the N days before now (default 60)
          --rate N              new orders per virtual hour on clock advance (default max(12, orders/history hours))
          --now ISO             virtual now (default 2026-11-20T12:00:00+03:00)
          --faults P            none|slow|flaky|outage|down|ratelimit|random429, a JSON spec, or @file.json;
                                ratelimit = {"rateLimit":{"perSecond":5,"burst":5}}: beyond 5 requests a second (a
                                bucket of 5) the answer is 429 at once with Retry-After; random429 = 429 by chance;
                                phases ({"phases":[{"mode":"stable","requests":200},{"mode":"intermittent","p":0.3}]})
                                turn an API flaky part-way through a load; POST /_sandbox/faults changes it at run time
          --lies JSON|@file     wrong answers until a virtual time or until cleared (also POST /_sandbox/lies):
                                {"unreadable":{"field":"price"|"quantity","every":25,"until":ISO}} serves the first
                                basket's price as "12,5 руб" (or quantity "two") for orders whose id is a multiple of every;
                                {"hideEvents":[ID or {"id":ID,"until":ISO}]} leaves events out of /events (404 by id);
                                {"skewUpdatedAt":{"seconds":N,"until":ISO}} serves orders' and baskets' updated_at N s off
                                (a server clock ahead, or behind with N < 0, corrected at until)
          --fixtures DIR        serve the captured fixture pages instead of generated data
          --total-override [RES=]N  paging.total to report (RES: orders, events, clients, discounts, promo-codes; default orders);
                                a lie for client tests: low (40 of 3000) or high (100000), the pages hold the real rows
          --per-page-override [RES=]N  paging.perPage to report, whatever the pages hold (a lie; default RES orders)
          --no-paging [RES]     list answers of RES carry no paging object at all (a lie; default RES orders)
          Lies switched at run time: a fault rule {"type":"paging","path":"/orders","total":N|"perPage":N|"omit":true|"drop":N}
          (drop: N rows cut from the middle of the page, paging left honest); count/skip/probability as for every rule.
          --query-page          honour ?page=N in the query string (default: ignored like every flat parameter)
          --max-per-page N      cap for per_page/perPage (default 1000)
          --default-per-page N  page size when a request names none (default: the resource's own; orders 50)
          --no-query-cache      filter and sort the whole list for every page (same answers; slow at 100k+ orders)
          --verbose             ASP.NET Core logging to stderr
        First stdout line: "QTickets sandbox listening on http://127.0.0.1:PORT/api/rest/v1".
        """;

    public static SandboxOptions Parse(string[] args)
    {
        var o = new SandboxOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            string? inlineVal = null;
            if (a.StartsWith("--") && a.Contains('='))
            {
                inlineVal = a[(a.IndexOf('=') + 1)..];
                a = a[..a.IndexOf('=')];
            }
            string Next() => inlineVal ?? (i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{a} needs a value"));
            switch (a)
            {
                case "--port": o.Port = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--urls": o.Urls = Next(); break;
                case "--token": o.Token = Next(); break;
                case "--seed": o.Seed = long.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--orders": o.Orders = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--events": o.Events = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--history-days": o.HistoryDays = Math.Max(1, int.Parse(Next(), CultureInfo.InvariantCulture)); break;
                case "--rate": o.RatePerHour = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--now":
                {
                    var v = Next();
                    o.Now = v.Equals("real", StringComparison.OrdinalIgnoreCase) ? DateTimeOffset.UtcNow
                        : Data.Time.TryParseInstant(v, out var dto) ? dto : throw new ArgumentException("bad --now " + v);
                    o.Now = DateTimeOffset.FromUnixTimeSeconds(o.Now.ToUnixTimeSeconds());
                    break;
                }
                case "--faults": o.Faults = Next(); break;
                case "--lies": o.Lies = Next(); break;
                case "--fixtures": o.FixturesDir = Next(); break;
                case "--total-override":
                {
                    var (res, n) = ResourceValue(a, Next());
                    o.TotalOverrides[res] = n;
                    break;
                }
                case "--per-page-override":
                {
                    var (res, n) = ResourceValue(a, Next());
                    o.PerPageOverrides[res] = n > 0 ? n : throw new ArgumentException($"{a} needs a positive page size, not {n}");
                    break;
                }
                case "--no-paging":
                {
                    // The resource is optional: the next argument is one only when it names a list resource.
                    var res = inlineVal ?? (i + 1 < args.Length && ListResources.Contains(args[i + 1], StringComparer.OrdinalIgnoreCase) ? args[++i] : "orders");
                    o.NoPaging.Add(Resource(a, res));
                    break;
                }
                case "--query-page": o.HonourQueryPage = true; break;
                case "--max-per-page": o.MaxPerPage = Math.Max(1, int.Parse(Next(), CultureInfo.InvariantCulture)); break;
                case "--default-per-page": o.DefaultPerPage = Math.Max(1, int.Parse(Next(), CultureInfo.InvariantCulture)); break;
                case "--no-query-cache": o.QueryCache = false; break;
                case "--verbose": o.Quiet = false; break;
                default: throw new ArgumentException("unknown option " + a);
            }
        }
        return o;
    }

    static string Resource(string option, string name) => ListResources.Contains(name, StringComparer.OrdinalIgnoreCase)
        ? name.ToLowerInvariant()
        : throw new ArgumentException($"{option}: unknown resource '{name}' (one of {string.Join(", ", ListResources)})");

    /// <summary>[RES=]N, RES defaulting to orders.</summary>
    static (string Resource, int Value) ResourceValue(string option, string value)
    {
        var eq = value.IndexOf('=');
        var number = eq < 0 ? value : value[(eq + 1)..];
        if (!int.TryParse(number, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < 0)
            throw new ArgumentException($"{option} needs [RES=]N with N a whole number >= 0, not '{value}'");
        return (eq < 0 ? "orders" : Resource(option, value[..eq]), n);
    }
}
