using System.Globalization;
using QTickets.Core.Contracts;

namespace QTickets.Engine.Api;

/// <summary>What one attempt told about the API's capacity.</summary>
internal enum AttemptSignal
{
    /// <summary>A 2xx answer; its latency is a sample.</summary>
    Answered,
    /// <summary>HTTP 429: the API asks for fewer requests.</summary>
    Throttled,
    /// <summary>503 and the other retried 5xx, a reset connection, a cut-off body: the API is struggling.</summary>
    Unavailable,
    /// <summary>No answer within the attempt's timeout.</summary>
    TimedOut,
}

/// <summary>A change of the limit, for the verbose log.</summary>
internal readonly record struct PagesInFlightChange(int From, int To, string Reason)
{
    public override string ToString() => $"Pages in flight {From} -> {To}: {Reason}.";
}

/// <summary>
/// How many pages the reader keeps in flight: the API's real capacity, found while reading. Plain state, no IO and
/// no clock: the transport reports every attempt (<see cref="Sent"/>, <see cref="Record"/>), the reader asks
/// <see cref="Limit"/> before every request. One per API client, shared by all its reads, because capacity is the
/// API's, not a query's.
///
/// The rule is AIMD (additive increase, multiplicative decrease), in rounds: a round ends when as many answers as the
/// limit have arrived (about one latency at the current limit).
/// <list type="bullet">
/// <item>Start at <see cref="StartLimit"/> (or the ceiling if lower): a healthy API reaches 8 after one round, a
/// struggling one sees few requests before the first cut. Double after every clean round until the first sign of
/// trouble (slow start); after that, +1 per clean round. Never above the ceiling.</item>
/// <item>A 429, a 503 (or another retried 5xx, a reset, a cut-off body) or a timeout halves the limit, at least 1. Only
/// once per burst: answers to requests sent before the last cut say nothing new (they were sent at the old limit),
/// so they do not cut again. A 429 cuts further when the pace of the last answers says so (<see cref="Sustainable"/>):
/// a rate limit is a number of requests a second, and it is the pace just before the 429.</item>
/// <item>Rising latency cuts by a quarter: a round whose mean latency is over <see cref="LatencyTolerance"/> × the
/// baseline (a slow moving average of the rounds' mean latency, starting from the mean of the first
/// <see cref="WarmUpAnswers"/> answers). A mean over a round, and the tolerance of 2, keep the ordinary spread of page times (the API's 2–8 s) from cutting;
/// a queue building up on the server grows it by more. At 1 there is nothing to cut, so the baseline follows there.</item>
/// <item>The level above the one a 429 cut to is not tried again until <c>hold</c> clean answers have arrived since;
/// the hold starts at <see cref="HoldStart"/> answers, doubles each time the same level refuses again (up to
/// <see cref="HoldMax"/>), and halves once the level has served a whole hold. A 429 is a limit in force (a rate
/// limit in requests per second shows in no latency, only in 429s), and probing it every few rounds would cost a
/// 429 or two each time. The cap weighs those 429s against time spent below the limit: a rate limit between two
/// levels (5 a second is 1.25 pages of 250 ms) is met by time at each, and 64 answers between probes keeps the
/// probes' 429s near 2% of the requests. A 503, a timeout or slow answers are the API struggling now, which passes
/// (production has 503 phases of 15–30 minutes): those cut without a hold, and the limit climbs back one a round.</item>
/// </list>
/// A pinned limit (-Parallelism N) never moves; its answers are still counted for the report.
/// </summary>
internal sealed class PagesInFlight
{
    public const int StartLimit = 4;
    public const double LatencyTolerance = 2.0;
    public const int WarmUpAnswers = 8;
    public const int HoldStart = 16;
    public const int HoldMax = 64;
    const double BaselineWeight = 1.0 / 16;
    const int RateWindow = 16;

    readonly object _lock = new();
    readonly int _ceiling;
    readonly bool _pinned;
    int _limit;
    bool _slowStart = true;

    // the current round
    int _roundAnswers;
    double _roundLatencyMs;

    // latency baseline
    int _answers;
    double _warmUpSumMs;
    double _baselineMs;

    // cuts
    long _sent;          // attempts sent so far; an attempt's ticket is its number
    long _cutAfter;      // attempts numbered up to here were sent before the last cut
    int? _failedLevel;   // the lowest level thought to draw a 429
    readonly Queue<TimeSpan> _answeredAt = new(RateWindow);
    int _hold = HoldStart;
    long _cleanSinceThrottle;

    // report
    int _min, _max;
    long _limitSum, _requests, _throttled, _unavailable, _timedOut, _cuts;

    /// <param name="ceiling">The most pages ever in flight (at least 1).</param>
    /// <param name="pinned">A fixed limit (-Parallelism): used as given, whatever the ceiling.</param>
    public PagesInFlight(int ceiling, int? pinned = null)
    {
        _ceiling = Math.Max(1, ceiling);
        _pinned = pinned is not null;
        _limit = pinned is int p ? Math.Max(1, p) : Math.Min(StartLimit, _ceiling);
        _min = _max = _limit;
    }

    public int Ceiling => _pinned ? _limit : _ceiling;
    public bool Pinned => _pinned;

    public int Limit
    {
        get { lock (_lock) return _limit; }
    }

    /// <summary>An attempt is being sent; returns its ticket for <see cref="Record"/>.</summary>
    public long Sent()
    {
        lock (_lock)
        {
            _limitSum += _limit;
            return ++_sent;
        }
    }

    /// <summary>What an attempt's answer said; a change of the limit when it made one.</summary>
    /// <param name="at">When the answer came, on any clock that only moves forward (the transport's stopwatch).</param>
    public PagesInFlightChange? Record(long ticket, AttemptSignal signal, TimeSpan latency, TimeSpan at)
    {
        lock (_lock)
        {
            _requests++;
            switch (signal)
            {
                case AttemptSignal.Answered:
                    if (_answeredAt.Count == RateWindow) _answeredAt.Dequeue();
                    _answeredAt.Enqueue(at);
                    return Answered(latency.TotalMilliseconds);
                case AttemptSignal.Throttled:
                    _throttled++;
                    return Trouble(ticket, "HTTP 429 (too many requests)", throttled: true);
                case AttemptSignal.Unavailable:
                    _unavailable++;
                    return Trouble(ticket, "the API failed a request (5xx, reset or cut-off answer)");
                default:
                    _timedOut++;
                    return Trouble(ticket, "a request timed out");
            }
        }
    }

    PagesInFlightChange? Answered(double ms)
    {
        _answers++;
        _cleanSinceThrottle++;
        if (_answers <= WarmUpAnswers)
        {
            _warmUpSumMs += ms;
            if (_answers == WarmUpAnswers) _baselineMs = _warmUpSumMs / WarmUpAnswers;
        }
        _roundAnswers++;
        _roundLatencyMs += ms;
        if (_roundAnswers < _limit) return null;

        var mean = _roundLatencyMs / _roundAnswers;
        _roundAnswers = 0;
        _roundLatencyMs = 0;
        if (_pinned) return null;

        var rising = _answers > WarmUpAnswers && _limit > 1 && mean > LatencyTolerance * _baselineMs;
        // The baseline learns from every round but a rising one, which it follows only at a tenth of the pace: a
        // queue on the server must not become the new normal in a round or two, and an API that is slower for good
        // is still learnt (at 1 in flight every round counts: nothing there is our doing).
        if (_answers > WarmUpAnswers)
            _baselineMs += (rising ? BaselineWeight / 10 : BaselineWeight) * (mean - _baselineMs);
        if (rising)
        {
            var to = Math.Max(1, _limit - Math.Max(1, _limit / 4));
            return Cut(to, string.Create(CultureInfo.InvariantCulture,
                $"latency rose to {mean:0} ms a page against {_baselineMs:0} ms usual"));
        }
        return Raise();
    }

    PagesInFlightChange? Raise()
    {
        var next = Math.Min(_ceiling, _slowStart ? _limit * 2 : _limit + 1);
        if (_failedLevel is int failed)
        {
            if (_cleanSinceThrottle < _hold) next = Math.Min(next, failed - 1);
            else if (_limit >= failed && _cleanSinceThrottle >= 2L * _hold)
            {
                // The level that failed has held for a whole hold: it is the API's again.
                _failedLevel = null;
                _hold = Math.Max(HoldStart, _hold / 2);
            }
            else next = Math.Min(next, failed);
        }
        if (next <= _limit) return null;
        var from = _limit;
        Set(next);
        return new PagesInFlightChange(from, next, _slowStart ? "answers fast and clean (ramping up)" : "answers fast and clean");
    }

    PagesInFlightChange? Trouble(long ticket, string reason, bool throttled = false)
    {
        if (_pinned || ticket <= _cutAfter) return null;
        if (_limit == 1)
        {
            // Nothing left to cut. A 429 even at one page says the limit is still in force: the hold starts again.
            _slowStart = false;
            if (throttled) _cleanSinceThrottle = 0;
            return null;
        }
        var to = Math.Max(1, _limit / 2);
        if (throttled && Sustainable() is int sustainable && sustainable < to)
        {
            to = Math.Max(1, sustainable);
            reason += string.Create(CultureInfo.InvariantCulture, $"; {sustainable} page(s) in flight match the {_rate:0.#} answers a second it allowed");
        }
        return Cut(to, reason, throttled);
    }

    double _rate;

    /// <summary>
    /// The pages in flight the API's recent pace allows (Little's law: answers a second × seconds a page); null before
    /// enough answers. A 429 comes once the rate it enforces is exceeded, so the pace of the answers just before it is
    /// that rate: a limit of 5 requests a second at 250 ms a page is 1.25 pages in flight, where halving 8 would take
    /// three 429s to get there.
    /// </summary>
    int? Sustainable()
    {
        if (_answeredAt.Count < 4) return null;
        var span = (_answeredAt.Last() - _answeredAt.Peek()).TotalSeconds;
        if (span <= 0) return null;
        _rate = (_answeredAt.Count - 1) / span;
        var pageSeconds = (_answers > WarmUpAnswers ? _baselineMs : _warmUpSumMs / Math.Min(_answers, WarmUpAnswers)) / 1000;
        return (int)Math.Floor(_rate * pageSeconds);
    }

    PagesInFlightChange? Cut(int to, string reason, bool throttled = false)
    {
        var from = _limit;
        _cuts++;
        _slowStart = false;
        _cutAfter = _sent;
        _roundAnswers = 0;
        _roundLatencyMs = 0;
        if (throttled)
        {
            // The same level (or one above it) refused again: wait twice as long before the next try. A level below
            // the one that refused before is a new finding: its first hold is the shortest.
            _hold = _failedLevel is int failed && from >= failed ? Math.Min(HoldMax, _hold * 2) : HoldStart;
            _failedLevel = to + 1; // the lowest level thought to exceed the limit
            _cleanSinceThrottle = 0;
        }
        Set(to);
        return new PagesInFlightChange(from, to, reason);
    }

    void Set(int limit)
    {
        _limit = limit;
        _min = Math.Min(_min, limit);
        _max = Math.Max(_max, limit);
    }

    /// <summary>What the read used, for the run summary.</summary>
    public PagesInFlightReport Report()
    {
        lock (_lock)
            return new PagesInFlightReport(
                _pinned ? "pinned" : "adaptive", Ceiling, _min, _max, _limit,
                _sent == 0 ? _limit : Math.Round((double)_limitSum / _sent, 1),
                _requests, _throttled, _unavailable, _timedOut, _cuts);
    }
}
