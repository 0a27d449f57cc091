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
    public void A_429_sets_a_pace_of_what_the_api_accepted_once_for_everything_sent_before_it_and_a_later_one_cuts_it()
    {
        var p = new PagesInFlight(ceiling: 8);
        var latency = TimeSpan.FromMilliseconds(250);
        // 20 answers sent 200 ms apart, 250 ms each: 4 s of what a limit of 5 a second lets through.
        for (var i = 1; i <= 20; i++) p.Record(p.Sent(), AttemptSignal.Answered, latency, TimeSpan.FromMilliseconds(200 * i + 250));
        Assert.Equal(8, p.Limit);
        Assert.Null(p.Pace);
        var before = Enumerable.Range(0, 4).Select(_ => p.Sent()).ToList();
        var change = p.Record(before[0], AttemptSignal.Throttled, TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(4.4));
        Assert.NotNull(change);
        // Sent within the last 4 s (0.4 to 4.0 s) and answered: 19, plus 3 in flight, over 4 s + 1 s: 4.4 a second
        // accepted, the pace. The pages in flight: what it needs at 0.25 s a page, + 1.
        Assert.Equal(4.4, change.Value.Pace!.Value, 6);
        Assert.Equal((8, 3), (change.Value.From, change.Value.To));
        Assert.Equal("Pages in flight 8 -> 3, at most 4.4 requests a second: HTTP 429 (too many requests) after 4.4 requests a second accepted.",
            change.Value.ToString());
        foreach (var t in before.Skip(1))
            Assert.Null(p.Record(t, AttemptSignal.Throttled, TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(4.4)));
        Assert.Equal(4.4, p.Pace!.Value, 6);

        var later = p.Record(p.Sent(), AttemptSignal.Throttled, TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(4.8));
        Assert.Equal(4.4 * PagesInFlight.PaceCut, later!.Value.Pace!.Value, 6);
        Assert.Equal("Pages in flight 3 -> 2, at most 3.52 requests a second: HTTP 429 (too many requests) at 4.4 requests a second.", later.Value.ToString());
        Assert.Equal("Pages in flight 2, at most 2.82 requests a second: HTTP 429.", new PagesInFlightChange(2, 2, "HTTP 429", 2.816).ToString());
        var r = p.Report();
        Assert.Equal((5L, 2L, 3.52, 3.52), (r.Throttled, r.Cuts, r.Pace, r.PaceMin));
        Assert.EndsWith("5 x 429, paced at 3.52 requests/s, lowest 3.52)", r.ToString());
    }

    [Fact]
    public void Paced_requests_go_one_slot_apart_and_each_one_the_pace_held_back_raises_it()
    {
        var p = Paced(out var pace);
        var now = TimeSpan.FromSeconds(100);
        Assert.Equal(TimeSpan.Zero, p.Reserve(now, waited: false));
        var wait = p.Reserve(now, waited: false);
        Assert.Equal(1 / pace, wait.TotalSeconds, 5);
        // Asked again when its slot has come: it goes, and having waited for it, it raises the pace.
        Assert.Equal(TimeSpan.Zero, p.Reserve(now + wait, waited: true));
        Assert.Equal(pace + PagesInFlight.PaceFindingStep, p.Pace!.Value, 9);
        // A request that did not wait says nothing of the pace: sent after a pause, it leaves the pace as it was.
        Assert.Equal(TimeSpan.Zero, p.Reserve(now + TimeSpan.FromSeconds(10), waited: false));
        Assert.Equal(pace + PagesInFlight.PaceFindingStep, p.Pace!.Value, 9);
        // A pause gives no burst: the next request waits a whole slot again.
        Assert.True(p.Reserve(now + TimeSpan.FromSeconds(10), waited: false) > TimeSpan.Zero);
    }

    [Fact]
    public void A_429_and_a_request_the_reader_did_not_schedule_each_take_a_slot_of_the_pace()
    {
        var p = Paced(out var pace);
        var slot = 1 / pace;
        var now = TimeSpan.FromSeconds(100);
        Assert.Equal(TimeSpan.Zero, p.Reserve(now, waited: false));
        p.Sent();                                                        // the reserved request: no further slot
        Assert.Equal(slot, p.Reserve(now, waited: false).TotalSeconds, 5);
        p.Sent();                                                        // another endpoint's request: one slot
        Assert.Equal(2 * slot, p.Reserve(now, waited: false).TotalSeconds, 5);
        // A 429 for a request sent before the last change of the pace (the 20th) cuts nothing, but its retry takes a
        // slot now ...
        Assert.Null(p.Record(20, AttemptSignal.Throttled, TimeSpan.Zero, TimeSpan.FromSeconds(100)));
        Assert.Equal(3 * slot, p.Reserve(now, waited: false).TotalSeconds, 5);
        // ... and when the retry is sent, it takes no other.
        p.Sent();
        Assert.Equal(3 * slot, p.Reserve(now, waited: false).TotalSeconds, 5);
    }

    [Fact]
    public void While_paced_the_pages_in_flight_climb_no_higher_than_the_pace_needs()
    {
        var p = Paced(out var pace); // 250 ms a page
        Answer(p, 400, latency: TimeSpan.FromMilliseconds(250));
        Assert.Equal((int)Math.Ceiling(pace * 0.25) + 1, p.Limit);
        Assert.True(p.Limit < 8);
    }

    [Fact]
    public void A_429_before_any_answer_halves_the_pages_in_flight_as_there_is_no_pace_to_learn()
    {
        var p = new PagesInFlight(ceiling: 8);
        var change = Record(p, p.Sent(), AttemptSignal.Throttled, TimeSpan.FromMilliseconds(5));
        Assert.Equal(new PagesInFlightChange(4, 2, "HTTP 429 (too many requests)"), change);
        Assert.Null(p.Pace);
        Assert.Equal(TimeSpan.Zero, p.Reserve(TimeSpan.FromSeconds(1), waited: false));
    }

    /// <summary>A controller paced by a 429 after 4 s of answers 200 ms apart, 250 ms each (19 in 4.8 s: about 4 a second).</summary>
    static PagesInFlight Paced(out double pace)
    {
        var p = new PagesInFlight(ceiling: 8);
        for (var i = 1; i <= 20; i++) p.Record(p.Sent(), AttemptSignal.Answered, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(200 * i + 250));
        p.Record(p.Sent(), AttemptSignal.Throttled, TimeSpan.Zero, TimeSpan.FromSeconds(4.2));
        pace = p.Pace!.Value;
        p.Sent(); // the 429's retry, in the slot it took
        return p;
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
    /// A reader against an API in virtual time, as PagedReader does it: it keeps <see cref="PagesInFlight.Limit"/>
    /// pages in flight, each page waiting its turn for <see cref="PagesInFlight.Reserve"/> when there is a pace; the
    /// API's answer to a request sent at a virtual instant is given by <paramref name="api"/> (signal and latency). A
    /// throttled or failed page is retried 1 s later in its slot (the transport, after Retry-After: 1), outside the
    /// pace. Returns the attempts, the virtual seconds to read every page, and the limit after each answer.
    /// </summary>
    static Action<string>? Trace;

    static (int Attempts, double Seconds, List<int> Limits) Read(PagesInFlight p, int pages,
        Func<double, (AttemptSignal Signal, double Latency)> api)
    {
        var now = 0.0;
        var attempts = 0;
        var done = 0;
        var next = 0;
        var answers = new PriorityQueue<(long Ticket, AttemptSignal Signal, double SentAt), double>();
        var retries = new Queue<double>();
        var waiting = new Queue<double>(); // pages in a slot, waiting for the pace: since when
        var wakeAt = double.MaxValue;
        var limits = new List<int>();
        var busy = 0;
        while (done < pages)
        {
            while (busy < p.Limit && next < pages) { busy++; next++; waiting.Enqueue(now); }
            while (retries.Count > 0 && retries.Peek() <= now) { retries.Dequeue(); Send(); }
            wakeAt = double.MaxValue;
            while (waiting.Count > 0)
            {
                var wait = p.Reserve(TimeSpan.FromSeconds(now), waited: waiting.Peek() < now);
                if (wait > TimeSpan.Zero) { wakeAt = now + wait.TotalSeconds; break; }
                waiting.Dequeue();
                Send();
            }
            var nextRetry = retries.Count > 0 ? retries.Peek() : double.MaxValue;
            var nextAnswer = answers.TryPeek(out _, out var at) ? at : double.MaxValue;
            var soonest = Math.Min(nextAnswer, Math.Min(nextRetry, wakeAt));
            if (soonest > now) now = soonest;
            if (nextAnswer > now) continue;
            var (ticket, signal, sentAt) = answers.Dequeue();
            var change = p.Record(ticket, signal, TimeSpan.FromSeconds(now - sentAt), TimeSpan.FromSeconds(now));
            if (change is not null && Trace is not null) Trace($"{now:0.00} s: {change}");
            limits.Add(p.Limit);
            if (signal == AttemptSignal.Answered) { done++; busy--; }
            else retries.Enqueue(now + 1);
        }
        return (attempts, now, limits);

        void Send()
        {
            attempts++;
            var (signal, latency) = api(now);
            answers.Enqueue((p.Sent(), signal, now), now + latency);
        }
    }

    /// <summary>A token bucket of <paramref name="rate"/> a second (and as many at once) in front of pages of 100-400 ms.</summary>
    static Func<double, (AttemptSignal, double)> RateLimited(double rate, int seed)
    {
        var random = new Random(seed);
        var tokens = rate;
        var last = 0.0;
        return now =>
        {
            tokens = Math.Min(rate, tokens + (now - last) * rate);
            last = now;
            if (tokens < 1) return (AttemptSignal.Throttled, 0.005);
            tokens--;
            return (AttemptSignal.Answered, 0.1 + 0.3 * random.NextDouble());
        };
    }

    [Fact]
    public void Simulated_healthy_api_reads_near_the_ceiling()
    {
        var random = new Random(3);
        var p = new PagesInFlight(ceiling: 8);
        var (attempts, seconds, _) = Read(p, 500, _ => (AttemptSignal.Answered, 0.1 + 0.3 * random.NextDouble()));
        Assert.Equal(500, attempts);
        Assert.Null(p.Pace);
        Assert.True(p.Report().Mean > 7.5, $"mean {p.Report().Mean}");
        Assert.True(seconds < 500 * 0.25 / 7, $"{seconds:0.0} s of virtual time"); // one at a time: 125 s
    }

    [Theory]
    [InlineData(200, 5)]
    [InlineData(1000, 5)]
    [InlineData(1000, 20)]
    public void Simulated_rate_limit_turns_away_under_2_percent_within_1_3_times_the_best_fixed_number(int pages, double rate)
    {
        var best = double.MaxValue;
        foreach (var pinned in new[] { 1, 2, 3, 4, 8 })
        {
            var fixedRead = Read(new PagesInFlight(ceiling: 8, pinned: pinned), pages, RateLimited(rate, seed: 5));
            output.WriteLine($"fixed {pinned}: {fixedRead.Attempts} attempts, {fixedRead.Seconds:0.0} s");
            best = Math.Min(best, fixedRead.Seconds);
        }
        var p = new PagesInFlight(ceiling: 8);
        Trace = output.WriteLine;
        var (attempts, seconds, _) = Read(p, pages, RateLimited(rate, seed: 5));
        Trace = null;
        var throttled = p.Report().Throttled;
        output.WriteLine($"adaptive: {attempts} attempts, {throttled} throttled, {seconds:0.0} s ({seconds / best:0.00}x the best fixed); {p.Report()}");
        Assert.True(throttled < attempts * 0.02, $"{throttled} of {attempts} attempts throttled");
        Assert.True(seconds < 1.3 * best, $"{seconds:0.0} s against {best:0.0} s for the best fixed number");
        Assert.NotNull(p.Pace);
    }

    [Fact]
    public void Simulated_flaky_phase_lowers_the_pages_in_flight_and_they_recover_after_it()
    {
        var random = new Random(11);
        var p = new PagesInFlight(ceiling: 8);
        // Healthy for the first 30 s, then a third of the answers are 503 for 30 s, then healthy again.
        var (_, _, limits) = Read(p, 2000, now =>
            now is >= 30 and < 60 && random.NextDouble() < 0.3
                ? (AttemptSignal.Unavailable, 0.1)
                : (AttemptSignal.Answered, 0.1 + 0.3 * random.NextDouble()));
        Assert.True(p.Report().Cuts >= 3);
        Assert.Equal(1, p.Report().Min);
        Assert.Equal(8, limits[^1]);
    }
}
