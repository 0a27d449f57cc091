using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using QTickets.Core.Json;
using QTickets.Core.Contracts;
using QTickets.Core.Model;
using QTickets.Core.Transform;

namespace QTickets.Core.Webhooks;

/// <summary>
/// The rules of a QTickets webhook delivery, without any HTTP: only POST on the one path; a body within the limit;
/// a delivery counts only when its X-Signature verifies (401 otherwise, logged without the body); the order is
/// parsed and converted exactly as the scheduled load does (strict values, the same personal-data scrub, the same
/// row), staged by <see cref="StagingCommitter"/> (the newer source state wins) and its days' facts queued with
/// <see cref="FactsRefresher"/>. 200 only once the row is in staging; 503 when ClickHouse or the API fails, so
/// QTickets retries; 200 also for what no retry can change (an order never paid, one the converter rejects: the
/// scheduled load records those in qtickets_rejected_orders).
/// </summary>
/// <param name="secret">QTICKETS_WEBHOOK_SECRET as UTF-8 bytes.</param>
/// <param name="log">Receives one line per delivery (no body, no secret, no personal data).</param>
public sealed class WebhookReceiver(byte[] secret, WebhookReceiverOptions options, WebhookEvents events, StagingCommitter staging,
    FactsRefresher facts, Action<string> log) : IWebhookHandler
{
    static readonly JsonDocumentOptions s_json = new() { MaxDepth = 64 };

    readonly byte[] _secret = secret.Length > 0 ? secret : throw new ArgumentException("The webhook secret is empty.", nameof(secret));
    readonly SalesRowConverter _converter = new(options.Clock);

    public WebhookCounters Counters { get; } = new();

    public WebhookResponse? Admit(string method, string path, long? contentLength)
    {
        if (!string.Equals(path, options.Path, StringComparison.Ordinal))
            return Refuse(404, "not found", $"webhook 404 {Clean(method)} {Clean(path, 80)}: not the webhook path");
        if (!string.Equals(method, "POST", StringComparison.Ordinal))
            return Refuse(405, "only POST", $"webhook 405 {Clean(method)}: only POST is accepted");
        if (contentLength > options.MaxBodyBytes)
            return Refuse(413, "body too large", $"webhook 413: a body of {contentLength} bytes, over the limit of {options.MaxBodyBytes}");
        return null;
    }

    public async Task<WebhookResponse> HandleAsync(WebhookRequest request, CancellationToken cancellation)
    {
        var started = Stopwatch.GetTimestamp();
        if (Admit(request.Method, request.Path, request.Body.Length) is { } refused) return refused;
        var kind = Clean(request.EventType);
        if (!WebhookSignature.Verify(request.Body.Span, request.Signature, _secret))
        {
            Counters.CountUnauthorized();
            var why = request.Signature is null ? "no X-Signature" : "the X-Signature does not match the body";
            return Answer(401, "bad signature", $"webhook 401 {kind} from {Clean(request.Remote, 64)}: {why} ({request.Body.Length} bytes, not logged)");
        }
        if (request.ModelName is { Length: > 0 } model && !string.Equals(model, "Order", StringComparison.Ordinal))
        {
            Counters.CountNotSold();
            return Answer(200, "ignored", $"webhook 200 {kind}: model {Clean(model)} is not an order, ignored");
        }

        Order order;
        try
        {
            using var doc = JsonDocument.Parse(request.Body, s_json);
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object) root = data;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("id", out _))
                throw new JsonException($"the JSON is {(root.ValueKind == JsonValueKind.Object ? "an object without an id" : root.ValueKind.ToString())}, not an order");
            order = QTicketsJson.ParseOrder(root, includePersonalData: false);
        }
        catch (JsonException ex)
        {
            Counters.CountRefused();
            return Answer(400, "not an order", $"webhook 400 {kind}: the body is not an order ({Clean(FirstSentence(ex.Message), 120)})");
        }

        if (order.PayedAt is null && !order.Payed && order.Problems.Count == 0)
        {
            Counters.CountNotSold();
            return Answer(200, "ok", $"webhook 200 {kind} {order}: not paid, nothing to stage{Took(started)}");
        }
        try
        {
            var ev = await events.GetAsync(order.EventId, cancellation).ConfigureAwait(false);
            var row = _converter.ToSalesRow(order, ev, out var rejection);
            if (row is null)
            {
                if (rejection is null)
                {
                    Counters.CountNotSold();
                    return Answer(200, "ok", $"webhook 200 {kind} {order}: not paid, nothing to stage{Took(started)}");
                }
                Counters.CountRejected();
                return Answer(200, "rejected", $"webhook 200 {kind} {order} rejected: {PersonalData.MaskText(rejection)}; " +
                                               $"the scheduled load records it{Took(started)}");
            }
            var staged = await staging.StageAsync(row, cancellation).ConfigureAwait(false);
            if (staged.Outcome == StageOutcome.Written)
            {
                Counters.CountStaged();
                facts.Touch(staged.Days);
                return Answer(200, "ok", $"webhook 200 {kind} {order}: staged, _ver {staged.Version}, " +
                                         $"day {string.Join(",", staged.Days.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)))}, " +
                                         $"{row.tickets_sold} tickets {row.revenue.ToString(CultureInfo.InvariantCulture)}{Took(started)}");
            }
            Counters.CountUnchanged();
            var what = staged.Outcome == StageOutcome.Superseded ? "a newer state came in the same batch" : "staging holds this state or a newer one";
            return Answer(200, "ok", $"webhook 200 {kind} {order}: unchanged, {what}{Took(started)}");
        }
        catch (Exception ex) when (ex is ClickHouseStoreException or QTicketsApiException && !cancellation.IsCancellationRequested)
        {
            Counters.CountUnavailable();
            var where = ex is ClickHouseStoreException ? "ClickHouse" : "the QTickets API (the order's event)";
            return Answer(503, "try again later", $"webhook 503 {kind} {order}: {where} failed, QTickets will retry: {Clean(FirstSentence(ex.Message), 200)}");
        }
        catch (OperationCanceledException)
        {
            Counters.CountUnavailable();
            return Answer(503, "stopping", $"webhook 503 {kind} {order}: the receiver is stopping, QTickets will retry");
        }
    }

    WebhookResponse Refuse(int status, string body, string line)
    {
        Counters.CountRefused();
        return Answer(status, body, line);
    }

    WebhookResponse Answer(int status, string body, string line)
    {
        log(line);
        return new WebhookResponse(status, body, line);
    }

    static string Took(long started) => $" in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms";

    static string FirstSentence(string text)
    {
        var line = text.Split('\n', 2)[0];
        return line;
    }

    /// <summary>A header value fit for a log line: printable ASCII, short; "-" when absent.</summary>
    static string Clean(string? value, int max = 24)
    {
        if (string.IsNullOrEmpty(value)) return "-";
        var chars = value.Take(max).Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray();
        return new string(chars) + (value.Length > max ? "…" : "");
    }
}
