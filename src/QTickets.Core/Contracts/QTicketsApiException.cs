namespace QTickets.Core.Contracts;

/// <summary>
/// A QTickets API request failed. The message names the request (method, path, page), the last HTTP status
/// and at most 300 characters of the body; it never contains the token.
/// </summary>
public class QTicketsApiException : Exception
{
    public QTicketsApiException(string message, string request, int? statusCode, string bodyExcerpt, int attempts, Exception? inner = null)
        : base(message, inner)
    {
        Request = request;
        StatusCode = statusCode;
        BodyExcerpt = bodyExcerpt;
        Attempts = attempts;
    }

    /// <summary>e.g. "GET /orders page 3".</summary>
    public string Request { get; }

    /// <summary>The last HTTP status, null when no answer arrived (network error, timeout).</summary>
    public int? StatusCode { get; }

    /// <summary>At most 300 characters of the last answer's body.</summary>
    public string BodyExcerpt { get; }

    /// <summary>HTTP attempts made for this request.</summary>
    public int Attempts { get; }
}
