namespace QTickets.Core.Contracts;

/// <summary>
/// A QTickets API request failed. The message names the request (method, path, page), the last HTTP status
/// and at most 300 characters of the body; it never contains the token.
/// </summary>
public class QTicketsApiException(string message, string request, int? statusCode, string bodyExcerpt, int attempts, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>e.g. "GET /orders page 3".</summary>
    public string Request { get; } = request;

    /// <summary>The last HTTP status, null when no answer arrived (network error, timeout).</summary>
    public int? StatusCode { get; } = statusCode;

    /// <summary>At most 300 characters of the last answer's body.</summary>
    public string BodyExcerpt { get; } = bodyExcerpt;

    /// <summary>HTTP attempts made for this request.</summary>
    public int Attempts { get; } = attempts;
}

/// <summary>The API refused the token (HTTP 403, or 401). Never retried: the token will not get better.</summary>
public sealed class QTicketsAuthenticationException(string message, string request, int statusCode, string bodyExcerpt)
    : QTicketsApiException(message, request, statusCode, bodyExcerpt, attempts: 1);

/// <summary>HTTP 404 RESOURCE_NOT_FOUND for one id (`/orders/{id}`, `/events/{id}`).</summary>
public sealed class QTicketsNotFoundException(string message, string request, string resource, long id, string bodyExcerpt)
    : QTicketsApiException(message, request, 404, bodyExcerpt, attempts: 1)
{
    /// <summary>"Order", "Event".</summary>
    public string Resource { get; } = resource;

    public long Id { get; } = id;
}

/// <summary>
/// An answer that is not what the API promises: malformed or truncated JSON (after the retries allowed for
/// it), a missing envelope, ids out of order. Never turned into a silently short result.
/// </summary>
public sealed class QTicketsResponseException(
    string message, string request, int? statusCode, string bodyExcerpt, int attempts, long? lineNumber = null, long? bytePosition = null, Exception? inner = null)
    : QTicketsApiException(message, request, statusCode, bodyExcerpt, attempts, inner)
{
    /// <summary>0-based line of the JSON error (the API sends one line).</summary>
    public long? LineNumber { get; } = lineNumber;

    /// <summary>0-based byte offset within that line where the JSON broke.</summary>
    public long? BytePosition { get; } = bytePosition;
}

/// <summary>
/// The API did not answer usefully within the retry budget: attempts exhausted on 429/5xx/network errors,
/// the request's deadline passed, or the circuit breaker is open after repeated failures.
/// </summary>
public sealed class QTicketsUnavailableException(
    string message, string request, int? statusCode, string bodyExcerpt, int attempts, bool timedOut, bool circuitOpen, Exception? inner = null)
    : QTicketsApiException(message, request, statusCode, bodyExcerpt, attempts, inner)
{
    /// <summary>The request's deadline passed (the cmdlets report OperationTimeout).</summary>
    public bool TimedOut { get; } = timedOut;

    /// <summary>Failed fast because the breaker was open.</summary>
    public bool CircuitOpen { get; } = circuitOpen;
}
