namespace QTickets.Core.Contracts;

/// <summary>
/// What the webhook listener (IO, in the engine) asks of the receiver (rules, in plain C#): whether to read a
/// request's body at all, and what a read delivery gets. Called from many requests at once.
/// </summary>
public interface IWebhookHandler
{
    /// <summary>
    /// The answer for a request refused before its body is read (wrong method, wrong path, a declared length over
    /// the limit), or null to read it. <paramref name="contentLength"/> is null when the request declares none.
    /// </summary>
    WebhookResponse? Admit(string method, string path, long? contentLength);

    /// <summary>The answer once the body is read; 200 only when the delivery's rows are in staging.</summary>
    Task<WebhookResponse> HandleAsync(WebhookRequest request, CancellationToken cancellation);
}
