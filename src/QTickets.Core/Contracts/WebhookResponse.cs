namespace QTickets.Core.Contracts;

/// <summary>
/// The answer to one delivery and the one log line it leaves. QTickets counts only 200 as delivered and retries
/// anything else, so 503 means "try again later" and 4xx is for what a retry cannot fix. Neither the body nor the
/// log line ever carries the delivery's body, a secret or personal data.
/// </summary>
public sealed record WebhookResponse(int Status, string Body, string LogLine)
{
    public bool Delivered => Status == 200;
}
