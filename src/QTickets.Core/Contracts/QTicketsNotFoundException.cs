namespace QTickets.Core.Contracts;

/// <summary>HTTP 404 RESOURCE_NOT_FOUND for one id (`/orders/{id}`, `/events/{id}`).</summary>
public sealed class QTicketsNotFoundException(string message, string request, string resource, long id, string bodyExcerpt)
    : QTicketsApiException(message, request, 404, bodyExcerpt, attempts: 1)
{
    /// <summary>"Order", "Event".</summary>
    public string Resource { get; } = resource;

    public long Id { get; } = id;
}
