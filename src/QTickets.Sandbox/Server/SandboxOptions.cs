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
          --faults P            none|slow|flaky|outage|down|ratelimit, a JSON spec, or @file.json
          --lies JSON|@file     wrong answers until a virtual time or until cleared (also POST /_sandbox/lies):
                                {"unreadable":{"field":"price"|"quantity","every":25,"until":ISO}} serves the first
                                basket's price as "12,5 руб" (or quantity "two") for orders whose id is a multiple of every;
                                {"hideEvents":[ID or {"id":ID,"until":ISO}]} leaves events out of /events (404 by id)
          --fixtures DIR        serve the captured fixture pages instead of generated data
          --total-override [RES=]N  paging.total to report (RES: orders, events, clients, discounts, promo-codes; default orders)
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
                    var v = Next();
                    var eq = v.IndexOf('=');
                    if (eq < 0) o.TotalOverrides["orders"] = int.Parse(v, CultureInfo.InvariantCulture);
                    else o.TotalOverrides[v[..eq]] = int.Parse(v[(eq + 1)..], CultureInfo.InvariantCulture);
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
}
