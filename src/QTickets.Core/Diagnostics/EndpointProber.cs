using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace QTickets.Core.Diagnostics;

/// <summary>
/// Runs the protocol's steps one after the other with a plain HttpClient: no retries, no redirects followed, no
/// re-filtering. The point is to see the server's raw answers; the resilient client lives in the engine.
/// Probe failures are findings, never exceptions; only cancellation ends a run early.
/// </summary>
public sealed class EndpointProber(ProbeSettings settings)
{
    static readonly string[] s_requestIdHeaders = { "X-Request-Id", "X-Request-ID", "Request-Id", "X-Correlation-Id", "X-Amzn-Trace-Id", "CF-Ray" };

    public ProbeWindowSet Windows { get; } = new(settings.Clock.GetUtcNow());

    /// <summary>The steps this run takes, in order: the selection plus what it depends on (0 always, A0 for A–C/J1).</summary>
    public static IReadOnlyList<string> Plan(IReadOnlyCollection<string>? selection)
    {
        if (selection is null || selection.Count == 0) return ProbeCatalog.Ids;
        var wanted = new HashSet<string>(selection, StringComparer.OrdinalIgnoreCase) { "0" };
        if (ProbeCatalog.Steps.Any(s => wanted.Contains(s.Id) && s.Kind is ProbeKind.FlatQuery or ProbeKind.JsonBody)) wanted.Add("A0");
        return ProbeCatalog.Steps.Where(s => wanted.Contains(s.Id)).Select(s => s.Id).ToArray();
    }

    /// <summary>Runs the plan; <paramref name="onResult"/> sees each result as soon as its step ends.</summary>
    public async Task<IReadOnlyList<EndpointProbeResult>> RunAsync(
        Action<EndpointProbeResult>? onResult, Action<string>? verbose, CancellationToken cancellation)
    {
        var results = new List<EndpointProbeResult>();
        using var handler = settings.Handler ?? new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.All,
            AllowAutoRedirect = false,
            UseCookies = false,
            ConnectTimeout = settings.Timeout,
        };
        using var http = new HttpClient(handler, disposeHandler: false) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };

        foreach (var id in Plan(settings.Steps))
        {
            cancellation.ThrowIfCancellationRequested();
            var step = ProbeCatalog.Find(id)!;
            var result = step.Kind switch
            {
                ProbeKind.Environment => Environment(step),
                ProbeKind.ById => await ById(http, step, results, verbose, cancellation).ConfigureAwait(false),
                ProbeKind.Write when !settings.IncludeWriteProbes => Skipped(step),
                ProbeKind.Repeat503 => await Repeat(http, step, results, verbose, cancellation).ConfigureAwait(false),
                _ => await Send(http, step, step.Method, step.Request!(Windows, settings.Organization), results, verbose, cancellation).ConfigureAwait(false),
            };
            results.Add(result);
            onResult?.Invoke(result);
        }
        return results;
    }

    EndpointProbeResult Environment(ProbeStep step)
    {
        var now = Windows.Now;
        var text = new StringBuilder()
            .AppendLine("QTickets debug protocol, step 0: environment")
            .AppendLine($"Started (UTC):      {ProbeClock.Utc(now)}")
            .AppendLine($"Started (Moscow):   {ProbeClock.MoscowText(now)} Moscow ({ProbeClock.Iso(now)})")
            .AppendLine($"Base URL:           {settings.BaseUrl}")
            .AppendLine($"Token:              {settings.TokenFingerprint} ({settings.Token.Length} characters; only the fingerprint is ever written)")
            .AppendLine($"Organisation:       {(settings.Organization.Length > 0 ? settings.Organization : "(not set)")}")
            .AppendLine($"30-day window:      {Windows.Days30}")
            .AppendLine($"24 h window:        {Windows.Hours24}")
            .AppendLine($"90-day window:      {Windows.Days90}")
            .AppendLine($"Steps:              {string.Join(", ", Plan(settings.Steps))}")
            .AppendLine($"Write probes:       {(settings.IncludeWriteProbes ? "sent (-IncludeWriteProbes)" : "not sent (POST /orders may create an order; -IncludeWriteProbes sends E1, E2)")}")
            .AppendLine($"Personal data:      {(settings.IncludePersonalData ? "INCLUDED in saved bodies (-IncludePersonalData)" : "masked in saved bodies")}")
            .AppendLine($"Retry delay (F):    {settings.RetryDelay.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s")
            .AppendLine($"Timeout:            {settings.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s a request, no retries")
            .AppendLine($"OS:                 {System.Runtime.InteropServices.RuntimeInformation.OSDescription}")
            .AppendLine($".NET:               {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}");
        foreach (var line in settings.EnvironmentLines) text.AppendLine(line);
        return new EndpointProbeResult
        {
            Step = step.Id, Hypothesis = step.Hypothesis, Kind = step.Kind, Artifact = step.Artifact,
            Url = settings.BaseUrl.ToString(), StartedAt = now, Outcome = ProbeOutcome.Info,
            Finding = $"token {settings.TokenFingerprint}, organisation {(settings.Organization.Length > 0 ? settings.Organization : "(not set)")}, " +
                      $"clock {ProbeClock.Both(now)}",
            ResponseBody = text.ToString(), PersonalDataIncluded = settings.IncludePersonalData,
        };
    }

    EndpointProbeResult Skipped(ProbeStep step)
    {
        var (path, body) = step.Request!(Windows, settings.Organization);
        return new EndpointProbeResult
        {
            Step = step.Id, Hypothesis = step.Hypothesis, Kind = step.Kind, Artifact = step.Artifact, Method = step.Method,
            Url = Combine(path), RequestBody = body, StartedAt = settings.Clock.GetUtcNow(), Outcome = ProbeOutcome.Skipped,
            Finding = "not sent: POST /orders may create an order on the real API; -IncludeWriteProbes sends it",
        };
    }

    Task<EndpointProbeResult> ById(HttpClient http, ProbeStep step, List<EndpointProbeResult> earlier, Action<string>? verbose, CancellationToken ct)
    {
        var id = settings.OrderId
                 ?? earlier.FirstOrDefault(r => r.Step == "J1" && r.Outcome == ProbeOutcome.Applied)?.FirstOrderId
                 ?? earlier.FirstOrDefault(r => r.Step == "A0" && r.FirstOrderId is not null)?.FirstOrderId;
        if (id is null)
            return Task.FromResult(NotApplicable(step, "no order id: no earlier step returned orders; pass -OrderId"));
        var withId = new ProbeStep
        {
            Id = step.Id, Artifact = step.Artifact + "_" + id.Value.ToString(CultureInfo.InvariantCulture), Hypothesis = step.Hypothesis,
            Kind = step.Kind, Method = step.Method, Form = step.Form,
        };
        return Send(http, withId, "GET", ("orders/" + id.Value.ToString(CultureInfo.InvariantCulture), null), earlier, verbose, ct);
    }

    async Task<EndpointProbeResult> Repeat(HttpClient http, ProbeStep step, List<EndpointProbeResult> earlier, Action<string>? verbose, CancellationToken ct)
    {
        var first = earlier.FirstOrDefault(r => r.StatusCode == 503);
        if (first is null) return NotApplicable(step, "no step answered 503: nothing to repeat");
        var original = ProbeCatalog.Find(first.Step)!;
        verbose?.Invoke($"F: waiting {settings.RetryDelay.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s, then repeating {first.Step} ({first.Method} {first.Url})");
        await Task.Delay(settings.RetryDelay, settings.Clock, ct).ConfigureAwait(false);
        var repeat = new ProbeStep
        {
            Id = step.Id, Artifact = step.Artifact + "_" + first.Step, Hypothesis = $"The 503 of {first.Step} is transient: the same request succeeds after {settings.RetryDelay.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s.",
            Kind = step.Kind, Method = first.Method, Form = original.Form,
        };
        var path = first.Url.StartsWith(BaseWithSlash, StringComparison.Ordinal) ? first.Url[BaseWithSlash.Length..] : first.Url;
        var result = await Send(http, repeat, first.Method, (path, first.RequestBody), earlier, verbose, ct).ConfigureAwait(false);
        var finding = result.StatusCode switch
        {
            503 => $"503 again after {settings.RetryDelay.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s: {first.Step}'s 503 is not transient for this request",
            >= 200 and < 300 => $"{result.StatusCode} after {settings.RetryDelay.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s: {first.Step}'s 503 was transient",
            _ => $"repeat of {first.Step}: {result.Finding}",
        };
        return result with { Outcome = result.StatusCode is >= 200 and < 300 ? ProbeOutcome.Info : result.Outcome, Finding = finding };
    }

    async Task<EndpointProbeResult> Send(HttpClient http, ProbeStep step, string method, (string Path, string? Body) request,
        List<EndpointProbeResult> earlier, Action<string>? verbose, CancellationToken ct)
    {
        var url = Combine(request.Path);
        var started = settings.Clock.GetUtcNow();
        using var message = new HttpRequestMessage(new HttpMethod(method), url);
        message.Headers.Accept.ParseAdd("application/json");
        message.Headers.CacheControl = new CacheControlHeaderValue { NoCache = true };
        message.Headers.UserAgent.ParseAdd("QTickets.PowerShell-Test-QTicketsEndpoint/" + typeof(EndpointProber).Assembly.GetName().Version?.ToString(3));
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.Token);
        if (request.Body is not null) message.Content = new StringContent(request.Body, Encoding.UTF8, "application/json");
        var requestHeaders = RequestHeaders(message, request.Body);

        var response = await Exchange(http, message, ct).ConfigureAwait(false);
        var facts = PageFacts.Read(response.Body);
        var baseline = earlier.FirstOrDefault(r => r.Step == "A0" && r.StatusCode == 200);
        var (outcome, finding) = ProbeAnalyzer.Judge(step, response, facts, Windows, baseline);
        ProbeWindow? window = step.Window is { } k ? Windows[k] : null;
        verbose?.Invoke($"{step.Id}: {method} {url}{(request.Body is null ? "" : $" (JSON body, {request.Body.Length} chars)")} -> " +
                        $"{response.StatusCode?.ToString(CultureInfo.InvariantCulture) ?? "no answer"} in {response.ElapsedMs} ms: {finding}");
        return new EndpointProbeResult
        {
            Step = step.Id, Hypothesis = step.Hypothesis, Kind = step.Kind, Artifact = step.Artifact, Method = method, Url = url,
            RequestBody = request.Body, StatusCode = response.StatusCode, ContentType = response.ContentType,
            ItemCount = facts.IsList || facts.IsSingle ? facts.Items : null,
            PagingTotal = facts.Total, PerPage = facts.PerPage, CurrentPage = facts.CurrentPage,
            PaidCount = facts.IsList || facts.IsSingle ? facts.Paid : null,
            UnpaidCount = facts.IsList || facts.IsSingle ? facts.Unpaid : null,
            InWindowCount = window is { } w && facts.IsList ? facts.InWindow(w) : null, Window = window,
            FirstOrderId = facts.Ids.Count > 0 ? facts.Ids[0] : null, LastOrderId = facts.Ids.Count > 0 ? facts.Ids[^1] : null,
            EarliestCreatedAt = facts.EarliestCreated,
            EarliestPayedAt = facts.PayedAt.Count > 0 ? facts.PayedAt.Min() : null,
            LatestPayedAt = facts.PayedAt.Count > 0 ? facts.PayedAt.Max() : null,
            SameAsDefaultPage = step.Kind == ProbeKind.Baseline ? null : ProbeAnalyzer.SameAsDefault(facts, baseline),
            ElapsedMs = response.ElapsedMs, RequestId = response.RequestId, Outcome = outcome, Finding = finding, StartedAt = started,
            RequestHeaders = requestHeaders, ResponseHeaders = response.Headers,
            ResponseBody = response.Body is null ? null : settings.IncludePersonalData ? response.Body : PersonalDataMask.Mask(response.Body),
            PersonalDataIncluded = settings.IncludePersonalData, OrderIds = facts.Ids,
        };
    }

    async Task<ProbeResponse> Exchange(HttpClient http, HttpRequestMessage message, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(settings.Timeout);
        var clock = Stopwatch.StartNew();
        try
        {
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var body = message.Method == HttpMethod.Head ? null : await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            return new ProbeResponse
            {
                StatusCode = (int)response.StatusCode, ReasonPhrase = response.ReasonPhrase,
                ContentType = response.Content.Headers.ContentType?.ToString(),
                Body = body, Headers = ResponseHeaders(response), RequestId = RequestId(response), ElapsedMs = clock.ElapsedMilliseconds,
            };
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new ProbeResponse { Error = $"no answer within {settings.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s", ElapsedMs = clock.ElapsedMilliseconds };
        }
        catch (HttpRequestException ex)
        {
            var inner = ex.InnerException is { } i && i.Message != ex.Message ? " (" + i.Message + ")" : "";
            return new ProbeResponse { Error = ex.Message + inner, ElapsedMs = clock.ElapsedMilliseconds };
        }
    }

    string BaseWithSlash => settings.BaseUrl.ToString().TrimEnd('/') + "/";

    string Combine(string path) => BaseWithSlash + path;

    string RequestHeaders(HttpRequestMessage message, string? body)
    {
        var text = new StringBuilder($"{message.Method} {message.RequestUri} HTTP/1.1\n");
        foreach (var h in message.Headers)
            text.Append(h.Key).Append(": ")
                .Append(h.Key == "Authorization" ? "Bearer " + settings.TokenFingerprint : string.Join(", ", h.Value)).Append('\n');
        if (message.Content is not null)
            foreach (var h in message.Content.Headers) text.Append(h.Key).Append(": ").Append(string.Join(", ", h.Value)).Append('\n');
        if (body is not null) text.Append('\n').Append(body).Append('\n');
        return text.ToString();
    }

    static string ResponseHeaders(HttpResponseMessage response)
    {
        var text = new StringBuilder($"HTTP/{response.Version} {(int)response.StatusCode} {response.ReasonPhrase}\n");
        foreach (var h in response.Headers) text.Append(h.Key).Append(": ").Append(string.Join(", ", h.Value)).Append('\n');
        foreach (var h in response.Content.Headers) text.Append(h.Key).Append(": ").Append(string.Join(", ", h.Value)).Append('\n');
        return text.ToString();
    }

    static string? RequestId(HttpResponseMessage response)
    {
        foreach (var name in s_requestIdHeaders)
            if (response.Headers.TryGetValues(name, out var values)) return name + ": " + string.Join(", ", values);
        return null;
    }

    EndpointProbeResult NotApplicable(ProbeStep step, string finding) => new()
    {
        Step = step.Id, Hypothesis = step.Hypothesis, Kind = step.Kind, Artifact = step.Artifact,
        StartedAt = settings.Clock.GetUtcNow(), Outcome = ProbeOutcome.NotApplicable, Finding = finding,
    };
}
