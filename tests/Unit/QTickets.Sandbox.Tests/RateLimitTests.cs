using QTickets.Sandbox.Server;

namespace QTickets.Sandbox.Tests;

/// <summary>The sandbox's rate limit: a token bucket in front of the API, on a clock the test moves.</summary>
public class RateLimitTests
{
    sealed class Clock
    {
        public TimeSpan Now;
        public TimeSpan Read() => Now;
    }

    static FaultEngine Engine(Clock clock, string spec)
    {
        var engine = new FaultEngine(1, clock.Read);
        engine.Set(FaultSpec.Parse(spec));
        return engine;
    }

    [Fact]
    public void A_burst_is_served_then_every_request_beyond_the_rate_is_turned_away_with_the_wait_for_the_next_token()
    {
        var clock = new Clock();
        var faults = Engine(clock, """{"rateLimit":{"perSecond":5,"burst":3}}""");
        for (var i = 0; i < 3; i++) Assert.Null(faults.Decide("GET", "/orders", list: true).RateLimitedFor);
        var turned = faults.Decide("GET", "/orders", list: true);
        Assert.Equal(1, turned.RateLimitedFor); // 0.2 s to the next token, rounded up to whole seconds
        Assert.Equal(0, turned.LatencyMs);

        clock.Now += TimeSpan.FromSeconds(0.2); // one token back
        Assert.Null(faults.Decide("GET", "/orders", list: true).RateLimitedFor);
        Assert.Equal(1, faults.Decide("GET", "/orders", list: true).RateLimitedFor);

        // 200 requests over 10 s, 20 a second: 5 a second get through (50), never more than rate × time + burst.
        var served = 0;
        for (var i = 0; i < 200; i++)
        {
            clock.Now += TimeSpan.FromMilliseconds(50);
            if (faults.Decide("GET", "/orders", list: true).RateLimitedFor is null) served++;
        }
        Assert.InRange(served, 49, 51);
    }

    [Fact]
    public void A_slow_rate_asks_for_a_longer_wait_and_a_path_limits_only_its_own_requests()
    {
        var clock = new Clock();
        var faults = Engine(clock, """{"rateLimit":{"perSecond":0.25,"burst":1,"path":"/orders"}}""");
        Assert.Null(faults.Decide("GET", "/orders", list: true).RateLimitedFor);
        Assert.Equal(4, faults.Decide("GET", "/orders", list: true).RateLimitedFor);
        Assert.Null(faults.Decide("GET", "/events", list: true).RateLimitedFor);
        clock.Now += TimeSpan.FromSeconds(3);
        Assert.Equal(1, faults.Decide("GET", "/orders", list: true).RateLimitedFor);
    }

    [Fact]
    public void A_rate_limit_without_a_rate_is_refused()
    {
        var ex = Assert.Throws<FormatException>(() => FaultSpec.Parse("""{"rateLimit":{"burst":3}}"""));
        Assert.Contains("perSecond", ex.Message);
    }

    [Fact]
    public async Task The_server_answers_429_with_retry_after_in_the_apis_error_shape()
    {
        await using var s = await Sandbox.StartAsync(o => { o.Seed = 2; o.Orders = 50; });
        await s.ControlAsync(HttpMethod.Post, "/_sandbox/faults", """{"rateLimit":{"perSecond":0.01,"burst":1}}""");
        Assert.Equal(200, (await s.GetAsync("/orders")).Status);
        var (status, body, response) = await s.GetAsync("/orders");
        Assert.Equal(429, status);
        Assert.Equal("""{"error":"Too Many Requests","status":429}""", body);
        Assert.True(response.Headers.RetryAfter!.Delta >= TimeSpan.FromSeconds(90)); // 1 token at 0.01/s: ~100 s
        var stats = await s.ControlAsync(HttpMethod.Get, "/_sandbox/stats");
        Assert.Equal(1, stats.GetProperty("faults").GetProperty("ratelimit").GetInt32());
    }
}
