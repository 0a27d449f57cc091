using System.Globalization;
using QTickets.Sandbox.Json;

namespace QTickets.Sandbox.Server;

/// <summary>
/// Fault injection. A spec (JSON, see <see cref="FaultSpec.Parse"/>) has an optional latency range, an
/// optional rate limit (requests per second, answered 429 with Retry-After beyond it), an optional list of 503
/// phases (stable → intermittent → down, by request count or seconds) and an ordered list of rules. Only API requests (under the base path) are affected; /_sandbox/ never is.
/// Decisions are made under a lock with a seeded RNG, so a given request sequence is reproducible.
/// </summary>
internal sealed class FaultSpec
{
    public int LatencyMinMs, LatencyMaxMs;
    public string? LatencyPath;
    public List<Phase> Phases { get; } = [];
    public List<FaultRule> Rules { get; } = [];
    public int? Seed;
    public string Source = "{}";
    /// <summary>A token bucket: this many requests per second on average, at most <see cref="RateBurst"/> at once.</summary>
    public double? RatePerSecond;
    public double RateBurst;
    public string? RatePath;

    public sealed class Phase
    {
        public string Mode = "stable"; // stable | intermittent | down
        public double P;               // 503 probability when intermittent
        public int? Requests;          // phase length in API requests
        public double? Seconds;        // or in seconds
        public string? Path;
    }

    public sealed class FaultRule
    {
        public string Type = "503";    // 503 | 429 | reset | truncate | 502 | 504 | paging
        public string? Path;           // prefix relative to the base path, e.g. "/orders"
        public string? Method;
        public int? Count;             // fire at most this many times (then the rule is spent)
        public int Skip;               // let this many matching requests through first
        public double Probability = 1;
        public int RetryAfter = 1;     // 429: seconds
        public string RetryAfterFormat = "seconds"; // 429: seconds | date
        public double Fraction = 0.5;  // reset/truncate: part of the body sent
        public int? Bytes;             // reset/truncate: exact number of body bytes sent
        public bool ContentLength = true; // truncate: honest Content-Length (true) or chunked end (false)
        public int? Total;             // paging: paging.total to report
        public int? PerPage;           // paging: paging.perPage to report
        public bool Omit;              // paging: no paging object at all
        public int Drop;               // paging: rows cut from the middle of the page (paging left as it was)
        public int Fired;
        public int Seen;
    }

    public JObject Describe() => (JObject)JNode.Parse(Source);

    public static FaultSpec Parse(string json)
    {
        var node = JNode.Parse(json) as JObject ?? throw new FormatException("fault spec must be a JSON object");
        var spec = new FaultSpec { Source = node.ToString() };
        if (node["seed"] is JNumber sn) spec.Seed = (int)sn.AsDouble();
        if (node["latency"] is JObject lat)
        {
            spec.LatencyMinMs = Int(lat["minMs"] ?? lat["min"]) ?? 0;
            spec.LatencyMaxMs = Int(lat["maxMs"] ?? lat["max"]) ?? spec.LatencyMinMs;
            spec.LatencyPath = Str(lat["path"]);
            if (spec.LatencyMaxMs < spec.LatencyMinMs) spec.LatencyMaxMs = spec.LatencyMinMs;
        }
        if (node["rateLimit"] is JObject rate)
        {
            // {"rateLimit":{"perSecond":5,"burst":5,"path":"/orders"}}: what a rate-limiting proxy in front of the API
            // does. Every API request takes a token; one that finds none is answered 429 at once, Retry-After the
            // seconds until the next token (at least 1), with no latency: the proxy never reached the application.
            spec.RatePerSecond = Dbl(rate["perSecond"]) is double ps && ps > 0 ? ps
                : throw new FormatException("rateLimit needs perSecond > 0 (e.g. {\"rateLimit\":{\"perSecond\":5}})");
            spec.RateBurst = Math.Max(1, Dbl(rate["burst"]) ?? spec.RatePerSecond.Value);
            spec.RatePath = Str(rate["path"]);
        }
        if (node["phases"] is JArray phases)
            foreach (var p in phases.Items.OfType<JObject>())
                spec.Phases.Add(new Phase
                {
                    Mode = (Str(p["mode"]) ?? "stable").ToLowerInvariant(),
                    P = Dbl(p["p"] ?? p["probability"]) ?? 0.5,
                    Requests = Int(p["requests"]),
                    Seconds = Dbl(p["seconds"]),
                    Path = Str(p["path"]),
                });
        if (node["rules"] is JArray rules)
            foreach (var r in rules.Items.OfType<JObject>())
            {
                var rule = new FaultRule
                {
                    Type = (Str(r["type"]) ?? "503").ToLowerInvariant(),
                    Path = Str(r["path"]),
                    Method = Str(r["method"])?.ToUpperInvariant(),
                    Count = Int(r["count"]),
                    Skip = Int(r["skip"]) ?? 0,
                    Probability = Dbl(r["probability"] ?? r["p"]) ?? 1,
                    RetryAfter = Int(r["retryAfter"]) ?? 1,
                    RetryAfterFormat = (Str(r["retryAfterFormat"]) ?? "seconds").ToLowerInvariant(),
                    Fraction = Dbl(r["fraction"]) ?? 0.5,
                    Bytes = Int(r["bytes"]),
                    ContentLength = r["contentLength"] is not JBool { Value: false },
                    Total = Int(r["total"]),
                    PerPage = Int(r["perPage"]),
                    Omit = r["omit"] is JBool { Value: true },
                    Drop = Int(r["drop"]) ?? 0,
                };
                rule.Type = rule.Type switch
                {
                    "unknown_error" or "503" => "503",
                    "rate_limit" or "429" => "429",
                    "reset" or "connection_reset" or "abort" => "reset",
                    "truncate" or "truncated" or "truncated_json" => "truncate",
                    "bad_gateway" or "502" or "html502" => "502",
                    "gateway_timeout" or "504" => "504",
                    // A list answer that lies about itself: total, perPage, paging missing, rows cut from a page.
                    "paging" or "paging_lie" => "paging",
                    _ => throw new FormatException("unknown fault type " + rule.Type),
                };
                if (rule.Type == "paging" && rule.Total is null && rule.PerPage is null && !rule.Omit && rule.Drop <= 0)
                    throw new FormatException("a paging rule needs total, perPage, omit:true or drop (e.g. {\"type\":\"paging\",\"total\":40})");
                spec.Rules.Add(rule);
            }
        return spec;
    }

    /// <summary>Named profiles for --faults.</summary>
    public static string Profile(string name) => name.ToLowerInvariant() switch
    {
        "none" or "off" or "" => "{}",
        "slow" => """{"latency":{"minMs":150,"maxMs":600}}""",
        "flaky" => """{"latency":{"minMs":5,"maxMs":60},"rules":[{"type":"503","probability":0.05},{"type":"429","probability":0.02,"retryAfter":1},{"type":"429","probability":0.01,"retryAfter":1,"retryAfterFormat":"date"},{"type":"reset","probability":0.01},{"type":"truncate","probability":0.01},{"type":"502","probability":0.01}]}""",
        "outage" => """{"phases":[{"mode":"stable","requests":40},{"mode":"intermittent","p":0.5,"requests":40},{"mode":"down","requests":20},{"mode":"stable"}]}""",
        "down" => """{"phases":[{"mode":"down"}]}""",
        "ratelimit" => """{"rateLimit":{"perSecond":5,"burst":5}}""",
        "random429" => """{"rules":[{"type":"429","probability":0.2,"retryAfter":1},{"type":"429","probability":0.05,"retryAfter":2,"retryAfterFormat":"date"}]}""",
        _ => throw new FormatException($"unknown fault profile '{name}' (none, slow, flaky, outage, down, ratelimit, random429, a JSON object or @file)"),
    };

    private static int? Int(JNode? n) => n switch
    {
        JNumber x => (int)x.AsDouble(),
        JString s when int.TryParse(s.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) => i,
        _ => null,
    };

    private static double? Dbl(JNode? n) => n switch
    {
        JNumber x => x.AsDouble(),
        JString s when double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    private static string? Str(JNode? n) => n is JString s ? s.Value : null;
}

/// <param name="RateLimitedFor">Set when the rate limit turned the request away: the Retry-After in seconds.</param>
internal readonly record struct FaultDecision(int LatencyMs, FaultSpec.FaultRule? Rule, bool Phase503, int? RateLimitedFor = null);

internal sealed class FaultEngine
{
    private readonly object _lock = new();
    private FaultSpec _spec = new();
    private Random _rng = new(1);
    private readonly int _defaultSeed;
    private int _phaseIndex;
    private int _phaseRequests;
    private DateTime _phaseStarted = DateTime.UtcNow;
    private readonly Func<TimeSpan> _clock;
    private double _tokens;
    private TimeSpan _tokensAt;

    /// <param name="clock">Time since some fixed start, for the rate limit (tests pass their own).</param>
    public FaultEngine(int seed, Func<TimeSpan>? clock = null)
    {
        _defaultSeed = seed;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        _clock = clock ?? (() => System.Diagnostics.Stopwatch.GetElapsedTime(started));
    }

    public void Set(FaultSpec spec)
    {
        lock (_lock)
        {
            _spec = spec;
            _rng = new Random(spec.Seed ?? _defaultSeed);
            _phaseIndex = 0;
            _phaseRequests = 0;
            _phaseStarted = DateTime.UtcNow;
            _tokens = spec.RateBurst;
            _tokensAt = _clock();
        }
    }

    public void Clear() => Set(new FaultSpec());

    public JObject Describe()
    {
        lock (_lock)
        {
            var rules = new JArray();
            foreach (var r in _spec.Rules)
                rules.Items.Add(new JObject().Add("type", r.Type).Add("path", r.Path).Add("count", r.Count).Add("fired", r.Fired).Add("seen", r.Seen));
            var o = new JObject().Add("spec", _spec.Describe()).Add("rules", rules);
            if (_spec.Phases.Count > 0)
                o.Add("phase", new JObject().Add("index", _phaseIndex).Add("mode", _spec.Phases[Math.Min(_phaseIndex, _spec.Phases.Count - 1)].Mode).Add("requests", _phaseRequests));
            return o;
        }
    }

    private static bool PathMatches(string? prefix, string path) =>
        prefix is null || prefix == "" || prefix == "/" || path.StartsWith(prefix.StartsWith('/') ? prefix : "/" + prefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>Decide what happens to one API request (path relative to the base path).</summary>
    /// <param name="list">The request is for a list (paging rules apply to nothing else).</param>
    public FaultDecision Decide(string method, string path, bool list)
    {
        lock (_lock)
        {
            var s = _spec;
            if (s.RatePerSecond is double rate && PathMatches(s.RatePath, path))
            {
                var now = _clock();
                _tokens = Math.Min(s.RateBurst, _tokens + (now - _tokensAt).TotalSeconds * rate);
                _tokensAt = now;
                if (_tokens < 1)
                    return new FaultDecision(0, null, false, Math.Max(1, (int)Math.Ceiling((1 - _tokens) / rate)));
                _tokens -= 1;
            }
            var latency = 0;
            if (s.LatencyMaxMs > 0 && PathMatches(s.LatencyPath, path))
                latency = s.LatencyMinMs + _rng.Next(s.LatencyMaxMs - s.LatencyMinMs + 1);

            if (s.Phases.Count > 0)
            {
                // advance the phase if its budget is used up
                while (_phaseIndex < s.Phases.Count - 1)
                {
                    var ph = s.Phases[_phaseIndex];
                    var done = (ph.Requests is int n && _phaseRequests >= n) ||
                               (ph.Seconds is double sec && (DateTime.UtcNow - _phaseStarted).TotalSeconds >= sec);
                    if (!done) break;
                    _phaseIndex++;
                    _phaseRequests = 0;
                    _phaseStarted = DateTime.UtcNow;
                }
                var cur = s.Phases[_phaseIndex];
                if (PathMatches(cur.Path, path))
                {
                    _phaseRequests++;
                    var fail = cur.Mode switch
                    {
                        "down" => true,
                        "intermittent" => _rng.NextDouble() < cur.P,
                        _ => false,
                    };
                    if (fail) return new FaultDecision(latency, null, true);
                }
            }

            foreach (var r in s.Rules)
            {
                if (r.Count is int c && r.Fired >= c) continue;
                if (!PathMatches(r.Path, path)) continue;
                if (r.Method is not null && r.Method != method) continue;
                if (r.Type == "paging" && !list) continue;
                r.Seen++;
                if (r.Seen <= r.Skip) continue;
                if (r.Probability < 1 && _rng.NextDouble() >= r.Probability) continue;
                r.Fired++;
                return new FaultDecision(latency, r, false);
            }
            return new FaultDecision(latency, null, false);
        }
    }
}
