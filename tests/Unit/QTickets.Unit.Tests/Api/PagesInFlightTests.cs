using QTickets.Engine.Api;

namespace QTickets.Unit.Tests.Api;

/// <summary>
/// The pages-in-flight controller alone: answers fed by hand, or by a simulated API in virtual time (latencies,
/// a rate limit, a flaky phase). No clock, no network.
/// </summary>
public sealed class PagesInFlightTests
{
    static readonly TimeSpan Ms100 = TimeSpan.FromMilliseconds(100);

    /// <summary>Sends <paramref name="count"/> attempts at the current limit and answers them all with <paramref name="signal"/>.</summary>
    static void Answer(PagesInFlight p, int count, AttemptSignal signal = AttemptSignal.Answered, TimeSpan? latency = null)
    {
        for (var i = 0; i < count; i++) p.Record(p.Sent(), signal, latency ?? Ms100);
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
        var change = p.Record(before[0], AttemptSignal.Throttled, TimeSpan.FromMilliseconds(5));
        Assert.Equal(new PagesInFlightChange(8, 4, "HTTP 429 (too many requests)"), change);
        foreach (var t in before.Skip(1)) Assert.Null(p.Record(t, AttemptSignal.Throttled, TimeSpan.FromMilliseconds(5)));
        Assert.Equal(4, p.Limit);

        Assert.NotNull(p.Record(p.Sent(), AttemptSignal.Throttled, TimeSpan.FromMilliseconds(5)));
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
    public void After_a_429_it_climbs_one_a_round_but_waits_a_hold_of_clean_answers_before_the_level_that_refused()
    {
        var p = new PagesInFlight(ceiling: 8);
        Answer(p, 4);                              // 8
        Answer(p, 1, AttemptSignal.Throttled);     // 4, the hold is 16
        Answer(p, 4);
        Assert.Equal(5, p.Limit);                  // additive now
        Answer(p, 5 + 6);
        Assert.Equal(7, p.Limit);                  // 15 clean answers: 8 failed, not before 16
        Answer(p, 7);
        Assert.Equal(8, p.Limit);

        Answer(p, 1, AttemptSignal.Throttled);     // 8 refused again: 4, the hold doubles to 32
        Answer(p, 4 + 5 + 6);
        Assert.Equal(7, p.Limit);
        Answer(p, 7);                              // 22 clean answers: not yet
        Assert.Equal(7, p.Limit);
        Answer(p, 7 + 7);                          // 36
        Assert.Equal(8, p.Limit);
    }

    [Fact]
    public void Latency_rising_over_twice_the_usual_cuts_by_a_quarter_and_the_ordinary_spread_does_not()
    {
        var random = new Random(7);
        var p = new PagesInFlight(ceiling: 8);
        // Page times spread 4x (100-400 ms, like the API's 2-8 s): thousands of answers, not one cut.
        for (var i = 0; i < 5000; i++) p.Record(p.Sent(), AttemptSignal.Answered, TimeSpan.FromMilliseconds(random.Next(100, 401)));
        Assert.Equal(8, p.Limit);
        Assert.Equal(0L, p.Report().Cuts);

        // A queue builds up on the server: every answer takes 3x as long. Cut within two rounds.
        PagesInFlightChange? change = null;
        for (var i = 0; i < 16 && change is null; i++) change = p.Record(p.Sent(), AttemptSignal.Answered, TimeSpan.FromMilliseconds(750));
        Assert.NotNull(change);
        Assert.Equal((8, 6), (change.Value.From, change.Value.To));
        Assert.StartsWith("latency rose to ", change.Value.Reason);
    }

    [Fact]
    public void An_api_slower_for_good_is_learnt_and_climbed_back_to_the_ceiling()
    {
        var p = new PagesInFlight(ceiling: 8);
        Answer(p, 4 + 8 + 8, latency: Ms100);
        for (var i = 0; i < 200; i++) p.Record(p.Sent(), AttemptSignal.Answered, TimeSpan.FromMilliseconds(800));
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
    static (int Attempts, double Seconds, List<int> Limits) Read(PagesInFlight p, int pages,
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
            p.Record(ticket, signal, TimeSpan.FromSeconds(now - sentAt));
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
