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

/// <summary>A change of the limit or of the pace, for the verbose log.</summary>
/// <param name="Pace">The requests a second allowed from now on, when the change set or cut the pace.</param>
internal readonly record struct PagesInFlightChange(int From, int To, string Reason, double? Pace = null)
{
    public override string ToString() => Pace is double pace
        ? string.Create(CultureInfo.InvariantCulture,
            $"Pages in flight {(From == To ? $"{To}" : $"{From} -> {To}")}, at most {pace:0.0#} requests a second: {Reason}.")
        : $"Pages in flight {From} -> {To}: {Reason}.";
}

/// <summary>
/// How many pages the reader keeps in flight, and how fast it sends them: the API's real capacity, found while
/// reading. Plain state, no IO: the transport reports every attempt (<see cref="Sent"/>, <see cref="Record"/>), the
/// reader asks <see cref="Limit"/> before every request and, once a 429 has set a pace, <see cref="Reserve"/> for
/// when it may send it. One per API client, shared by all its reads, because capacity is the API's, not a query's.
///
/// Pages in flight follow AIMD (additive increase, multiplicative decrease), in rounds: a round ends when as many
/// answers as the limit have arrived (about one latency at the current limit).
/// <list type="bullet">
/// <item>Start at <see cref="StartLimit"/> (or the ceiling if lower) and add one per clean answer until the first
/// sign of trouble (slow start: the limit doubles each round, and a round's new requests go out one answer at a time
/// rather than all at its end, so a limit met on the way is met by one request, not by the whole step); after that,
/// +1 per clean round. Never above the ceiling.</item>
/// <item>A 503 (or another retried 5xx, a reset, a cut-off body) or a timeout halves the limit, at least 1. Only
/// once per burst: answers to requests sent before the last cut say nothing new (they were sent at the old limit),
/// so they do not cut again. The API struggling now passes (production has 503 phases of 15–30 minutes): the limit
/// climbs back one a round.</item>
/// <item>Rising latency cuts by a quarter: a round whose mean latency is over <see cref="LatencyTolerance"/> × the
/// baseline (a slow moving average of the rounds' mean latency, starting from the mean of the first
/// <see cref="WarmUpAnswers"/> answers). A mean over a round, and the tolerance of 2, keep the ordinary spread of page
/// times (the API's 2–8 s) from cutting; a queue building up on the server grows it by more. At 1 there is nothing to
/// cut, so the baseline follows there.</item>
/// </list>
/// A 429 is a limit in requests a second, which shows in no latency and is not a number of pages in flight: under a
/// token bucket of R a second, any pages in flight above R × latency drain the bucket, and then every request sent
/// finds it empty. Probing such a limit with pages in flight costs a 429 for every request in flight at the probe.
/// So a 429 sets a pace instead (AIMD on the rate):
/// <list type="bullet">
/// <item>The first 429 sets the pace to the rate the API accepted: the requests answered (sent within the last
/// <see cref="PaceWindow"/>) and those still in flight, over that time plus <see cref="AssumedBurst"/>. A bucket lets
/// through its burst and then its rate; counting the burst as a second of rate makes that a lower bound of the rate
/// for any bucket holding at most a second's worth (early in a read, little more than the burst has been seen).</item>
/// <item>Requests go one every 1/pace seconds (<see cref="Reserve"/>), evenly, so the API's bucket never sees a burst.
/// Each request that waited for its turn (the pace, not the pages in flight, held it back) adds a step to the pace:
/// <see cref="PaceFindingStep"/> requests a second while the pace is still that lower bound (1 % of itself a second,
/// whatever its size), then <see cref="PaceStep"/> (0.5 %).</item>
/// <item>A later 429 (for a request sent after the last change of the pace: those sent before were sent at the old
/// one) cuts the pace to <see cref="PaceCut"/> of itself. Above the rate, the bucket drains by the excess, so a probe
/// costs one 429, once the bucket is empty: with 0.5 % a second and a cut of 20 %, one every ~45 s of reading (a
/// limit of 5 a second: one 429 in ~220 requests) while the pace averages close to the limit (the bucket's burst is
/// spent at each probe).</item>
/// <item>Every 429 takes the next slot of the pace for its retry (the transport retries it after Retry-After,
/// outside the reader), and every request the reader did not schedule (a retry beyond that, another endpoint's)
/// takes a slot when it is sent: the API's bucket counts every request.</item>
/// <item>While paced, the pages in flight are at most what the pace needs, pace × latency, plus one (so the pace,
/// not the pages, sets the rate). The pace never goes below half a page in flight (<see cref="Floor"/>): 429s even
/// there (a limit below that, or 429s by chance, which every pace would draw) are met by the transport's retries, as
/// with one page at a time, and do not slow the read down to nothing.</item>
/// </list>
/// A pinned limit (-Parallelism N) never moves and is not paced; its answers are still counted for the report.
/// </summary>
internal sealed class PagesInFlight
{
    public const int StartLimit = 4;
    public const double LatencyTolerance = 2.0;
    public const int WarmUpAnswers = 8;
    public const double PaceStep = 0.005;
    public const double PaceFindingStep = 0.01;
    public const double PaceCut = 0.8;
    public static readonly TimeSpan PaceWindow = TimeSpan.FromSeconds(4);
    public static readonly TimeSpan AssumedBurst = TimeSpan.FromSeconds(1);
    const double BaselineWeight = 1.0 / 16;
    const int PaceWindowMost = 1024;

    readonly object _lock = new();
    readonly int _ceiling;
    readonly bool _pinned;
    int _limit;
    bool _slowStart = true;

    // the current round
    int _roundAnswers;
    double _roundLatencyMs;
    int _roundStartLimit;

    // latency baseline
    int _answers;
    double _warmUpSumMs;
    double _baselineMs;

    // cuts
    long _sent;          // attempts sent so far; an attempt's ticket is its number
    long _cutAfter;      // attempts numbered up to here were sent before the last cut of the limit

    // the pace. The schedule is on the reader's clock (Reserve's now), what was accepted on the transport's (Record's
    // at); both are the system's monotonic clock, and only a test scales the reader's.
    readonly Queue<TimeSpan> _acceptedSentAt = new(); // when the answered attempts of the last PaceWindow were sent
    double? _pace;       // requests a second; null until a 429
    bool _paceFound;     // a 429 came at the pace itself (not only at the first estimate)
    long _paceCutAfter;  // attempts numbered up to here were sent before the last change of the pace
    TimeSpan _nextAt;    // the next paced request may go at this instant
    TimeSpan _lastNow;
    int _reserved;       // slots given by Reserve whose attempts are not sent yet
    int _prepaid;        // slots taken by 429s for their retries

    // report
    int _min, _max;
    long _limitSum, _requests, _throttled, _unavailable, _timedOut, _cuts;
    double? _paceMin;

    /// <param name="ceiling">The most pages ever in flight (at least 1).</param>
    /// <param name="pinned">A fixed limit (-Parallelism): used as given, whatever the ceiling.</param>
    public PagesInFlight(int ceiling, int? pinned = null)
    {
        _ceiling = Math.Max(1, ceiling);
        _pinned = pinned is not null;
        _limit = pinned is int p ? Math.Max(1, p) : Math.Min(StartLimit, _ceiling);
        _roundStartLimit = _limit;
        _min = _max = _limit;
    }

    public int Ceiling => _pinned ? _limit : _ceiling;
    public bool Pinned => _pinned;

    public int Limit
    {
        get { lock (_lock) return _limit; }
    }

    /// <summary>Requests a second the API is sent at most; null while no 429 has set a pace (and when pinned).</summary>
    public double? Pace
    {
        get { lock (_lock) return _pace; }
    }

    /// <summary>
    /// A paged request asks when it may go: zero gives it the next slot of the pace (and it goes now), more is how
    /// long to wait before asking again. Always zero without a pace.
    /// </summary>
    /// <param name="now">The reader's clock, only moving forward.</param>
    /// <param name="waited">The request already waited for the pace (it was held back by it, not by the pages in flight).</param>
    public TimeSpan Reserve(TimeSpan now, bool waited)
    {
        lock (_lock)
        {
            if (now > _lastNow) _lastNow = now;
            if (_pace is not double pace) return TimeSpan.Zero;
            if (now < _nextAt) return _nextAt - now;
            var interval = TimeSpan.FromSeconds(1 / pace);
            // On time (at most one slot late): keep the schedule, so a late wake-up does not slow the pace. Later than
            // that the reader had nothing to send: start from now, no catching up in a burst.
            _nextAt = (now - _nextAt < interval ? _nextAt : now) + interval;
            _reserved++;
            if (waited)
            {
                _pace = pace + (_paceFound ? PaceStep : PaceFindingStep);
                CapToPace();
            }
            return TimeSpan.Zero;
        }
    }

    /// <summary>An attempt is being sent; returns its ticket for <see cref="Record"/>.</summary>
    public long Sent()
    {
        lock (_lock)
        {
            _limitSum += _limit;
            if (_pace is not null)
            {
                if (_reserved > 0) _reserved--;
                else if (_prepaid > 0) _prepaid--;
                else TakeSlot(); // not scheduled by the reader: a retry, another endpoint
            }
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
                    NoteAccepted(at - latency, at);
                    return Answered(latency.TotalMilliseconds);
                case AttemptSignal.Throttled:
                    _throttled++;
                    return Throttled(ticket, at);
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
        if (_answers <= WarmUpAnswers)
        {
            _warmUpSumMs += ms;
            if (_answers == WarmUpAnswers) _baselineMs = _warmUpSumMs / WarmUpAnswers;
        }
        _roundAnswers++;
        _roundLatencyMs += ms;
        if (_pinned)
        {
            if (_roundAnswers >= _limit) _roundAnswers = 0;
            return null;
        }
        if (_slowStart && _limit < Most()) Set(_limit + 1); // the round's doubling, one request an answer
        if (_roundAnswers < _limit && !(_slowStart && _roundAnswers >= _roundStartLimit)) return null;

        var mean = _roundLatencyMs / _roundAnswers;
        var from = _roundStartLimit;
        _roundAnswers = 0;
        _roundLatencyMs = 0;
        _roundStartLimit = _limit;

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
        if (_slowStart)
            return _limit > from ? new PagesInFlightChange(from, _limit, "answers fast and clean (ramping up)") : null;
        var next = Math.Min(Most(), _limit + 1);
        if (next <= _limit) return null;
        var before = _limit;
        Set(next);
        _roundStartLimit = next;
        return new PagesInFlightChange(before, next, "answers fast and clean");
    }

    PagesInFlightChange? Trouble(long ticket, string reason)
    {
        if (_pinned || ticket <= _cutAfter) return null;
        _slowStart = false;
        if (_limit == 1) return null; // nothing left to cut
        return Cut(Math.Max(1, _limit / 2), reason);
    }

    /// <summary>A 429: the pace is set, or cut; the pages in flight follow it.</summary>
    PagesInFlightChange? Throttled(long ticket, TimeSpan at)
    {
        if (_pinned) return null;
        if (_pace is not null)
        {
            _prepaid++;
            TakeSlot(); // this 429's retry
        }
        if (ticket <= _paceCutAfter) return null; // sent before the pace changed: it says nothing new
        _slowStart = false;
        string reason;
        double pace;
        var first = _pace is null;
        if (_pace is double current)
        {
            pace = Math.Max(Floor(), current * PaceCut);
            _paceFound = true;
            reason = string.Create(CultureInfo.InvariantCulture, $"HTTP 429 (too many requests) at {current:0.0#} requests a second");
        }
        else if (Accepted(at) is double accepted)
        {
            pace = Math.Max(Floor(), accepted);
            reason = string.Create(CultureInfo.InvariantCulture, $"HTTP 429 (too many requests) after {accepted:0.0#} requests a second accepted");
            _nextAt = _lastNow;
        }
        else
        {
            // A 429 before anything was answered: no pace to learn yet, so fewer pages, as for a 503.
            if (ticket <= _cutAfter || _limit == 1) return null;
            return Cut(Math.Max(1, _limit / 2), "HTTP 429 (too many requests)");
        }
        _pace = pace;
        _paceMin = Math.Min(_paceMin ?? pace, pace);
        _paceCutAfter = _sent;
        _cutAfter = _sent;
        _cuts++;
        if (first)
        {
            _prepaid++;
            TakeSlot(); // this 429's retry (later ones took theirs above)
        }
        var from = _limit;
        CapToPace();
        _roundAnswers = 0;
        _roundLatencyMs = 0;
        _roundStartLimit = _limit;
        return new PagesInFlightChange(from, _limit, reason, pace);
    }

    /// <summary>An answered attempt sent at <paramref name="sentAt"/>: the pace's first estimate counts it.</summary>
    void NoteAccepted(TimeSpan sentAt, TimeSpan at)
    {
        _acceptedSentAt.Enqueue(sentAt);
        if (_acceptedSentAt.Count > PaceWindowMost) _acceptedSentAt.Dequeue();
        ForgetAcceptedBefore(at - PaceWindow);
    }

    void ForgetAcceptedBefore(TimeSpan sentAt)
    {
        while (_acceptedSentAt.Count > 0 && _acceptedSentAt.Peek() < sentAt) _acceptedSentAt.Dequeue();
    }

    /// <summary>
    /// Requests a second the API accepted up to <paramref name="at"/>: those answered (sent within the window) and those
    /// still in flight, over the window plus <see cref="AssumedBurst"/>. Null before the first answer.
    /// </summary>
    double? Accepted(TimeSpan at)
    {
        ForgetAcceptedBefore(at - PaceWindow);
        if (_acceptedSentAt.Count == 0) return null;
        var inFlight = Math.Clamp(_sent - _requests, 0, _limit);
        var seconds = (at - _acceptedSentAt.Peek() + AssumedBurst).TotalSeconds;
        return (_acceptedSentAt.Count + inFlight) / seconds;
    }

    /// <summary>Seconds a page takes, as far as known (0 before any answer).</summary>
    double PageSeconds() =>
        (_answers >= WarmUpAnswers ? _baselineMs : _answers > 0 ? _warmUpSumMs / _answers : 0) / 1000;

    /// <summary>
    /// The lowest pace: half a page in flight. Below it a 429 is taken for one that no pace helps (a limit below one
    /// page at a time, or 429s by chance): as with one page at a time, the transport's retries meet it.
    /// </summary>
    double Floor() => PageSeconds() is var s and > 0 ? 0.5 / s : 0.5;

    /// <summary>The most pages in flight: the ceiling, and while paced what the pace needs (pace × latency, plus one).</summary>
    int Most() => _pace is double pace
        ? Math.Clamp((int)Math.Ceiling(pace * PageSeconds()) + 1, 1, _ceiling)
        : _ceiling;

    void CapToPace()
    {
        if (_limit > Most()) Set(Most());
    }

    /// <summary>The next slot of the pace goes to a request the reader did not schedule.</summary>
    void TakeSlot()
    {
        if (_pace is double pace)
            _nextAt = (_nextAt > _lastNow ? _nextAt : _lastNow) + TimeSpan.FromSeconds(1 / pace);
    }

    PagesInFlightChange? Cut(int to, string reason)
    {
        var from = _limit;
        _cuts++;
        _slowStart = false;
        _cutAfter = _sent;
        _roundAnswers = 0;
        _roundLatencyMs = 0;
        Set(to);
        _roundStartLimit = to;
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
                _requests, _throttled, _unavailable, _timedOut, _cuts,
                _pace is double pace ? Math.Round(pace, 2) : null, _paceMin is double low ? Math.Round(low, 2) : null);
    }
}
