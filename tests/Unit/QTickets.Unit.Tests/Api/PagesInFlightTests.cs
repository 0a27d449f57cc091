using Xunit.Abstractions;
using QTickets.Engine.Api;

namespace QTickets.Unit.Tests.Api;

/// <summary>
/// The pages-in-flight controller alone: answers fed by hand, or by a simulated API in virtual time (latencies,
/// a rate limit, a flaky phase). No clock, no network.
/// </summary>
public sealed class PagesInFlightTests(ITestOutputHelper output)
{
    static readonly TimeSpan Ms100 = TimeSpan.FromMilliseconds(100);

    TimeSpan _now; // a virtual clock: answers arrive limit at a time, one latency apart

    PagesInFlightChange? Record(PagesInFlight p, long ticket, AttemptSignal signal, TimeSpan latency)
    {
        _now += latency / Math.Max(1, p.Limit);
        return p.Record(ticket, signal, latency, _now);
    }

    /// <summary>Sends <paramref name="count"/> attempts at the current limit and answers them all with <paramref name="signal"/>.</summary>
    void Answer(PagesInFlight p, int count, AttemptSignal signal = AttemptSignal.Answered, TimeSpan? latency = null)
    {
        for (var i = 0; i < count; i++) Record(p, p.Sent(), signal, latency ?? Ms100);
    }

    [Fact]
    public void Starts_at_four_doubles_while_answers_are_fast_and_clean_then_stays_at_the_ceiling()
    {
        var p = new PagesInFlight(ceiling: 8);
        Assert.Equal(4, p.Limit);
        Answer(p, 4);
        Assert.Equal(8, p.Limit);
        Answer(p, 400);
        Assert.Equal(8, p.Limit);
        var r = p.Report();
        Assert.Equal(("adaptive", 8, 4, 8, 8, 0L), (r.Mode, r.Ceiling, r.Min, r.Max, r.Final, r.Cuts));
        Assert.Equal(404, r.Requests);
    }

    [Fact]
    public void A_ceiling_below_four_is_where_it_starts_and_stays()
    {
        var p = new PagesInFlight(ceiling: 2);
        Assert.Equal(2, p.Limit);
        Answer(p, 50);
        Assert.Equal(2, p.Limit);
    }

    [Fact]
    public void A_429_halves_once_for_everything_sent_before_the_cut_and_again_for_what_was_sent_after()
    {
        var p = new PagesInFlight(ceiling: 8);
        Answer(p, 4); // 8
        var before = Enumerable.Range(0, 8).Select(_ => p.Sent()).ToList();
        var change = Record(p, before[0], AttemptSignal.Throttled, TimeSpan.FromMilliseconds(5));
        Assert.Equal(new PagesInFlightChange(8, 4, "HTTP 429 (too many requests)"), change);
        foreach (var t in before.Skip(1)) Assert.Null(Record(p, t, AttemptSignal.Throttled, TimeSpan.FromMilliseconds(5)));
        Assert.Equal(4, p.Limit);

        Assert.NotNull(Record(p, p.Sent(), AttemptSignal.Throttled, TimeSpan.FromMilliseconds(5)));
        Assert.Equal(2, p.Limit);
        Assert.Equal(9L, p.Report().Throttled);
        Assert.Equal(2L, p.Report().Cuts);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_503_or_a_timeout_cuts_down_to_one_and_never_below(bool timeout)
    {
        var signal = timeout ? AttemptSignal.TimedOut : AttemptSignal.Unavailable;
        var p = new PagesInFlight(ceiling: 8);
        Answer(p, 4);
        for (var i = 0; i < 6; i++) Answer(p, 1, signal);
        Assert.Equal(1, p.Limit);
        var r = p.Report();
        Assert.Equal(1, r.Min);
        Assert.Equal(3L, r.Cuts); // 8 -> 4 -> 2 -> 1; at 1 there is nothing to cut
        Assert.Equal(6L, timeout ? r.TimedOut : r.Unavailable);
    }

    [Fact]
    public void After_a_429_the_levels_above_wait_a_hold_of_clean_answers_which_doubles_when_the_same_level_refuses_again()
    {
        var p = new PagesInFlight(ceiling: 8);
        Answer(p, 4);                              // 8
        Answer(p, 1, AttemptSignal.Throttled);     // 4: 5 and above wait 16 clean answers
        Answer(p, 12);
        Assert.Equal(4, p.Limit);
        Answer(p, 4);
        Assert.Equal(5, p.Limit);                  // 16: 5 is tried

        Answer(p, 1, AttemptSignal.Throttled);     // 5 refused too: 2, and 3 and above wait 32
        Assert.Equal(2, p.Limit);
        Answer(p, 30);
        Assert.Equal(2, p.Limit);
        Answer(p, 2);
        Assert.Equal(3, p.Limit);

        // 3 serves a whole hold more (64 clean answers since the 429): it is the API's again, and the climb goes on.
        Answer(p, 33);
        Assert.Equal(4, p.Limit);
        Answer(p, 4 + 5 + 6 + 7);
        Assert.Equal(8, p.Limit);
    }

    [Fact]
    public void A_429_after_a_steady_pace_cuts_to_the_pages_in_flight_that_pace_allows()
    {
        var p = new PagesInFlight(ceiling: 8);
        var latency = TimeSpan.FromMilliseconds(250);
        // Answers 200 ms apart (5 a second), 250 ms each: what a limit of 5 requests a second lets through.
        for (var i = 1; i <= 20; i++) p.Record(p.Sent(), AttemptSignal.Answered, latency, TimeSpan.FromSeconds(0.2 * i));
        Assert.Equal(8, p.Limit);
        var change = p.Record(p.Sent(), AttemptSignal.Throttled, TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(4.1));
        Assert.NotNull(change);
        Assert.Equal((8, 1), (change.Value.From, change.Value.To)); // 5 a second x 0.25 s = 1.25 pages
        Assert.Contains("match the 5 answers a second it allowed", change.Value.Reason);
    }

    [Fact]
    public void Latency_rising_over_twice_the_usual_cuts_by_a_quarter_and_the_ordinary_spread_does_not()
    {
        var random = new Random(7);
        var p = new PagesInFlight(ceiling: 8);
        // Page times spread 4x (100-400 ms, like the API's 2-8 s): thousands of answers, not one cut.
        for (var i = 0; i < 5000; i++) Record(p, p.Sent(), AttemptSignal.Answered, TimeSpan.FromMilliseconds(random.Next(100, 401)));
        Assert.Equal(8, p.Limit);
        Assert.Equal(0L, p.Report().Cuts);

        // A queue builds up on the server: every answer takes 3x as long. Cut within two rounds.
        PagesInFlightChange? change = null;
        for (var i = 0; i < 16 && change is null; i++) change = Record(p, p.Sent(), AttemptSignal.Answered, TimeSpan.FromMilliseconds(750));
        Assert.NotNull(change);
        Assert.Equal((8, 6), (change.Value.From, change.Value.To));
        Assert.StartsWith("latency rose to ", change.Value.Reason);
    }

    [Fact]
    public void An_api_slower_for_good_is_learnt_and_climbed_back_to_the_ceiling()
    {
        var p = new PagesInFlight(ceiling: 8);
        Answer(p, 4 + 8 + 8, latency: Ms100);
        for (var i = 0; i < 200; i++) Record(p, p.Sent(), AttemptSignal.Answered, TimeSpan.FromMilliseconds(800));
        Assert.True(p.Report().Min < 8);
        Assert.Equal(0L, p.Report().Throttled);
        Assert.Equal(8, p.Limit); // back at the ceiling once 800 ms is the usual
    }

    [Fact]
    public void A_pinned_number_never_moves_and_is_reported_as_pinned()
    {
        var p = new PagesInFlight(ceiling: 8, pinned: 3);
        Answer(p, 10);
        Answer(p, 5, AttemptSignal.Throttled);
        Answer(p, 5, AttemptSignal.Unavailable);
        Answer(p, 5, latency: TimeSpan.FromSeconds(30));
        Assert.Equal(3, p.Limit);
        var r = p.Report();
        Assert.Equal(("pinned", 3, 3, 3, 3, 3.0, 0L, 5L, 5L), (r.Mode, r.Ceiling, r.Min, r.Max, r.Final, r.Mean, r.Cuts, r.Throttled, r.Unavailable));
    }

    // ------------------------------------------------------------------ simulated API, virtual time

    /// <summary>
    /// A reader keeping <see cref="PagesInFlight.Limit"/> pages in flight against an API whose answer to a request
    /// sent at a virtual instant is given by <paramref name="api"/> (signal and latency). A throttled or failed page is
    /// retried after 1 s in its slot, as the transport does. Returns the attempts and the virtual time to read all pages.
    /// </summary>
    (int Attempts, double Seconds, List<int> Limits) Read(PagesInFlight p, int pages,
        Func<double, int, (AttemptSignal Signal, double Latency)> api)
    {
        var now = 0.0;
        var attempts = 0;
        var done = 0;
        var next = 0;
        var inFlight = new PriorityQueue<(long Ticket, int Page, AttemptSignal Signal, double SentAt), double>();
        var limits = new List<int>();
        var retries = new Queue<(int Page, double At)>();
        var busy = 0;
        while (done < pages)
        {
            while (busy < p.Limit && next < pages) { busy++; Send(next++); }
            while (retries.Count > 0 && retries.Peek().At <= now) Send(retries.Dequeue().Page);
            var nextRetry = retries.Count > 0 ? retries.Peek().At : double.MaxValue;
            if (!inFlight.TryPeek(out _, out var at) || nextRetry < at) { now = nextRetry; continue; }
            var (ticket, page, signal, sentAt) = inFlight.Dequeue();
            now = at;
            p.Record(ticket, signal, TimeSpan.FromSeconds(now - sentAt), TimeSpan.FromSeconds(now));
            limits.Add(p.Limit);
            if (signal == AttemptSignal.Answered) { done++; busy--; }
            else retries.Enqueue((page, now + 1));
        }
        return (attempts, now, limits);

        void Send(int page)
        {
            attempts++;
            var (signal, latency) = api(now, page);
            inFlight.Enqueue((p.Sent(), page, signal, now), now + latency);
        }
    }

    [Fact]
    public void Simulated_healthy_api_reads_near_the_ceiling()
    {
        var random = new Random(3);
        var p = new PagesInFlight(ceiling: 8);
        var (attempts, seconds, _) = Read(p, 500, (_, _) => (AttemptSignal.Answered, 0.1 + 0.3 * random.NextDouble()));
        Assert.Equal(500, attempts);
        Assert.True(p.Report().Mean > 7.5, $"mean {p.Report().Mean}");
        Assert.True(seconds < 500 * 0.25 / 7, $"{seconds:0.0} s of virtual time"); // one at a time: 125 s
    }

    [Fact]
    public void Simulated_rate_limit_of_five_a_second_settles_where_few_requests_are_turned_away()
    {
        var random = new Random(5);
        var tokens = 5.0;
        var last = 0.0;
        (AttemptSignal, double) Api(double now, int page)
        {
            tokens = Math.Min(5, tokens + (now - last) * 5);
            last = now;
            if (tokens < 1) return (AttemptSignal.Throttled, 0.005);
            tokens--;
            return (AttemptSignal.Answered, 0.1 + 0.3 * random.NextDouble());
        }
        var p = new PagesInFlight(ceiling: 8);
        var (attempts, seconds, _) = Read(p, 1000, Api);
        var throttled = p.Report().Throttled;
        output.WriteLine($"{attempts} attempts, {throttled} throttled, {seconds:0.0} s; {p.Report()}");
        Assert.True(throttled < attempts * 0.03, $"{throttled} of {attempts} attempts throttled");
        // 5 a second is the most anyone can read: 200 s. One page at a time (~4 a second) would take ~250 s.
        Assert.True(seconds < 260, $"{seconds:0.0} s of virtual time");
    }

    [Fact]
    public void Simulated_flaky_phase_lowers_the_pages_in_flight_and_they_recover_after_it()
    {
        var random = new Random(11);
        var p = new PagesInFlight(ceiling: 8);
        // Healthy for the first 30 s, then a third of the answers are 503 for 30 s, then healthy again.
        var (_, _, limits) = Read(p, 2000, (now, _) =>
            now is >= 30 and < 60 && random.NextDouble() < 0.3
                ? (AttemptSignal.Unavailable, 0.1)
                : (AttemptSignal.Answered, 0.1 + 0.3 * random.NextDouble()));
        Assert.True(p.Report().Cuts >= 3);
        Assert.Equal(1, p.Report().Min);
        Assert.Equal(8, limits[^1]);
    }
}
