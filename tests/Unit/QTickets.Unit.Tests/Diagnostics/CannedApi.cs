using System.Globalization;
using System.Net;
using System.Text;
using QTickets.Core.Diagnostics;
using QTickets.Tests.Shared;

namespace QTickets.Unit.Tests.Diagnostics;

/// <summary>
/// Canned answers for the protocol, shaped like production's: flat parameters ignored (the genuine
/// first page, 2021, total 123183), GET with a JSON body honoured, POST /orders/filter an HTML 404, POST /orders
/// 503. Or every request answered with one status, or no answer at all.
/// </summary>
internal sealed class CannedApi : HttpMessageHandler
{
    public const string Token = "qt-canned-TOKEN-5f3a9c2e7b";
    public static string Fingerprint => QTickets.Core.Configuration.Secret.FingerprintOf(Token);

    readonly Func<HttpRequestMessage, string?, HttpResponseMessage> _answer;

    public List<(HttpMethod Method, string Url, string? Body, string? Authorization)> Requests { get; } = new();

    CannedApi(Func<HttpRequestMessage, string?, HttpResponseMessage> answer) => _answer = answer;

    public static CannedApi ProductionLike(int paidInWindow = 120) => new((request, body) =>
    {
        var path = request.RequestUri!.AbsolutePath;
        if (request.Method == HttpMethod.Head) return Answer(HttpStatusCode.OK, "", "application/json");
        if (request.Method == HttpMethod.Post)
            return path.EndsWith("/orders/filter", StringComparison.Ordinal)
                ? Answer(HttpStatusCode.NotFound, "<html><title>Страница не найдена 404 – Qtickets</title></html>", "text/html; charset=UTF-8")
                : Answer(HttpStatusCode.ServiceUnavailable, "{\"error\":\"Unknown error\",\"status\":503,\"code\":\"UNKNOWN_ERROR\",\"info\":[]}", "application/json");
        if (path.EndsWith("/orders/1614202", StringComparison.Ordinal) || path.Contains("/orders/9", StringComparison.Ordinal))
            return Answer(HttpStatusCode.OK, File.ReadAllText(Fixtures.PathOf("order_by_id.json")), "application/json");
        if (body is not null) return Answer(HttpStatusCode.OK, PaidPage(paidInWindow, DateTimeOffset.UtcNow), "application/json");
        return Answer(HttpStatusCode.OK, File.ReadAllText(Fixtures.PathOf("orders_page1.json")), "application/json");
    });

    public static CannedApi Always(HttpStatusCode status, string body, string contentType = "application/json") =>
        new((_, _) => Answer(status, body, contentType));

    public static CannedApi NoAnswer() => new((_, _) => throw new HttpRequestException("Connection refused (127.0.0.1:9)"));

    /// <summary>A page of paid orders paid during the last days before <paramref name="now"/>, the way J1 asks.</summary>
    public static string PaidPage(int count, DateTimeOffset now, bool payed = true)
    {
        var items = Enumerable.Range(0, Math.Min(count, 200)).Select(i =>
        {
            var paidAt = now.AddHours(-(i + 1) * 3).ToOffset(TimeSpan.FromHours(3)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
            return $"{{\"id\":{9000000 + i},\"uniqid\":\"U{i:D9}\",\"payed\":{(payed ? "true" : "false")},\"payed_at\":{(payed ? "\"" + paidAt + "\"" : "null")}," +
                   $"\"client\":{{\"id\":1,\"email\":\"buyer{i + 1}@example.test\",\"details\":{{\"phone\":\"+7{i + 1:D10}\"}}}}," +
                   $"\"created_at\":\"{paidAt}\"}}";
        });
        return $"{{\"data\":[{string.Join(",", items)}],\"paging\":{{\"perPage\":200,\"currentPage\":1,\"total\":{count}}}}}";
    }

    static HttpResponseMessage Answer(HttpStatusCode status, string body, string contentType)
    {
        var response = new HttpResponseMessage(status) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        response.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        response.Headers.TryAddWithoutValidation("Server", "nginx/1.14.1");
        return response;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        lock (Requests) Requests.Add((request.Method, request.RequestUri!.ToString(), body, request.Headers.Authorization?.ToString()));
        var response = _answer(request, body);
        response.RequestMessage = request;
        return response;
    }

    public static ProbeSettings Settings(CannedApi api, bool writeProbes = false, string[]? steps = null, long? orderId = null) => new()
    {
        BaseUrl = new Uri("https://qtickets.example.test/api/rest/v1"),
        Token = Token,
        TokenFingerprint = Fingerprint,
        Organization = "org-test",
        Handler = api,
        IncludeWriteProbes = writeProbes,
        RetryDelay = TimeSpan.Zero,
        Steps = steps,
        OrderId = orderId,
    };

    public static async Task<(IReadOnlyList<EndpointProbeResult> Results, EndpointVerdict Verdict)> RunAsync(ProbeSettings settings)
    {
        var prober = new EndpointProber(settings);
        var results = await prober.RunAsync(null, null, CancellationToken.None);
        return (results, VerdictBuilder.Build(results, settings, prober.Windows.Now, DateTimeOffset.UtcNow));
    }
}
