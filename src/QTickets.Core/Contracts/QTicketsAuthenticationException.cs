namespace QTickets.Core.Contracts;

/// <summary>The API refused the token (HTTP 403, or 401). Never retried: the token will not get better.</summary>
public sealed class QTicketsAuthenticationException(string message, string request, int statusCode, string bodyExcerpt)
    : QTicketsApiException(message, request, statusCode, bodyExcerpt, attempts: 1);
