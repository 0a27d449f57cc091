namespace QTickets.Core.Contracts;

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
