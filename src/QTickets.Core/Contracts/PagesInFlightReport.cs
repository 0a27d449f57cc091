using System.Globalization;

namespace QTickets.Core.Contracts;

/// <summary>
/// The pages in flight an API client used (<see cref="IQTicketsApi.PagesInFlight"/>): adaptive between 1 and the
/// ceiling, or pinned by -Parallelism; the range and the mean over its requests, and what made it cut.
/// </summary>
/// <param name="Mode">adaptive or pinned.</param>
/// <param name="Ceiling">The most it may use (QTICKETS_MAX_PAGES_IN_FLIGHT or -MaxParallelism; the pin when pinned).</param>
/// <param name="Mean">The limit in force when each request was sent, averaged over the requests.</param>
/// <param name="Requests">Attempts answered or failed (retries included).</param>
/// <param name="Throttled">Attempts answered 429.</param>
/// <param name="Unavailable">Attempts answered 503 (or another retried 5xx), reset, or cut off.</param>
/// <param name="TimedOut">Attempts without an answer in time.</param>
/// <param name="Cuts">Times the limit or the pace was lowered.</param>
/// <param name="Pace">Requests a second it sent at most at the end, once 429s had set a pace; null if none did.</param>
/// <param name="PaceMin">The lowest pace it set.</param>
public sealed record PagesInFlightReport(
    string Mode, int Ceiling, int Min, int Max, int Final, double Mean,
    long Requests, long Throttled, long Unavailable, long TimedOut, long Cuts,
    double? Pace = null, double? PaceMin = null)
{
    public override string ToString() => Mode == "pinned"
        ? $"{Final} pages in flight (pinned)"
        : string.Create(CultureInfo.InvariantCulture,
            $"{Min}-{Max} pages in flight (mean {Mean:0.0}, ceiling {Ceiling}, {Cuts} cuts, {Throttled} x 429") +
          (Pace is double pace
              ? string.Create(CultureInfo.InvariantCulture, $", paced at {pace:0.0#} requests/s, lowest {PaceMin ?? pace:0.0#})")
              : ")");
}
