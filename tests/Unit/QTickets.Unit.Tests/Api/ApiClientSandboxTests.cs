using System.Collections.Concurrent;
using System.Diagnostics;
using QTickets.Core.Contracts;
using QTickets.Tests.Shared;
using static QTickets.Unit.Tests.Api.ApiKit;

namespace QTickets.Unit.Tests.Api;

/// <summary>The client against the real sandbox process: paging under change, faults, request counts.</summary>
public sealed class ApiClientSandboxTests
{
    // The sandbox's virtual now (its default), so windows are stable whatever day the tests run.
    static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.FromHours(3));

    static ApiOptions Options(Action<TimeSpan>? waits = null, int attempts = 6) =>
        FastOptions(handler: null, waits, attempts) with { Parallelism = 4 };

    static string PaidWindowWhere(DateTimeOffset since, DateTimeOffset until) =>
        $"[{{\"column\":\"payed\",\"value\":1}},{{\"column\":\"payed_at\",\"operator\":\">=\",\"value\":\"{since:yyyy-MM-dd'T'HH:mm:sszzz}\"}}," +
        $"{{\"column\":\"payed_at\",\"operator\":\"<\",\"value\":\"{until:yyyy-MM-dd'T'HH:mm:sszzz}\"}}]";

    [Fact]
    public async Task Ten_thousand_paid_orders_while_new_ones_arrive_each_id_exactly_once()
    {
        using var sandbox = SandboxProcess.Start("--seed", "11", "--orders", "16000", "--history-days", "30");
        var since = Now.AddDays(-40);
        var until = Now.AddDays(10); // open to the future: orders paid while we read belong to the window
        var before = await sandbox.OrderIdsAsync(PaidWindowWhere(since, until));
        Assert.True(before.Count >= 10_000, $"the sandbox generated only {before.Count} paid orders");
        // A little latency so the read takes long enough for the clock to move under it.
        await sandbox.SetFaultsAsync("""{"latency":{"minMs":2,"maxMs":10}}""");

        using var client = Create(Options(), NullRunObserver.Instance, sandbox.BaseUrl, sandbox.Token);
        var ids = new List<long>();
        var advanced = 0;
        await foreach (var order in client.GetOrdersAsync(OrderQuery.PaidBetween(since, until) with { IncludeCancelled = true }))
        {
            ids.Add(order.Id);
            // The clock moves three times mid-read (pages are in flight meanwhile): new orders, payments,
            // refunds and cancellations happen while the client pages.
            if (ids.Count is 2_000 or 5_000 or 8_000)
            {
                var r = await sandbox.AdvanceClockAsync(TimeSpan.FromHours(6));
                advanced += r.GetProperty("created").GetInt32();
            }
        }
        var after = await sandbox.OrderIdsAsync(PaidWindowWhere(since, until));

        Assert.True(advanced > 0, "the clock advance created no orders");
        Assert.Equal(ids.Count, ids.Distinct().Count());              // nothing twice
        Assert.Equal(ids.Order(), ids);                                // id order
        Assert.Empty(before.Except(ids));                              // nothing that existed was skipped
        Assert.Empty(ids.Except(after));                               // nothing that is not in the window
        var newPaid = after.Where(id => id > before.Max()).ToList();  // created after the read began
        Assert.NotEmpty(newPaid);
        Assert.Empty(newPaid.Except(ids));                             // found by the pages or the final sweep
    }

    [Fact]
    public async Task A_503_storm_is_survived_and_the_retries_are_the_only_extra_requests()
    {
        using var sandbox = SandboxProcess.Start("--seed", "3", "--orders", "600");
        var expected = await sandbox.OrderIdsAsync(PaidWindowWhere(Now.AddDays(-90), Now));
        await sandbox.SetFaultsAsync("""{"rules":[{"type":"503","path":"/orders","count":4,"skip":1}]}""");
        await sandbox.ResetStatsAsync();
        var waits = new ConcurrentQueue<TimeSpan>();
        using var client = Create(Options(waits.Enqueue) with { Parallelism = 1 }, null, sandbox.BaseUrl, sandbox.Token);

        var orders = await client.GetOrdersAsync(OrderQuery.PaidBetween(Now.AddDays(-90), Now) with { IncludeCancelled = true }).ToListAsync();

        Assert.Equal(expected, orders.Select(o => o.Id));
        Assert.Equal(4, await sandbox.RequestCountAsync("/orders", "503"));
        var pages = (expected.Count + 49) / 50 + 1; // snapshot pages + the final sweep
        Assert.Equal(pages, await sandbox.RequestCountAsync("/orders", "200"));
        Assert.Equal(4, waits.Count);
    }

    [Fact]
    public async Task A_429_sequence_is_survived_with_the_waits_the_server_asked_for()
    {
        using var sandbox = SandboxProcess.Start("--seed", "4", "--orders", "300");
        await sandbox.SetFaultsAsync("""
            {"rules":[{"type":"429","path":"/orders","count":2,"retryAfter":3},
                      {"type":"429","path":"/orders","count":1,"retryAfter":5,"retryAfterFormat":"date"}]}
            """);
        var waits = new ConcurrentQueue<TimeSpan>();
        using var client = Create(Options(waits.Enqueue) with { Parallelism = 1 }, null, sandbox.BaseUrl, sandbox.Token);

        var orders = await client.GetOrdersAsync(OrderQuery.PaidBetween(Now.AddDays(-90), Now) with { IncludeCancelled = true }).ToListAsync();

        Assert.NotEmpty(orders);
        Assert.Equal(3, await sandbox.RequestCountAsync("/orders", "429"));
        var w = waits.ToArray();
        Assert.Equal(3, w.Length);
        Assert.Equal(TimeSpan.FromSeconds(3), w[0]);
        Assert.Equal(TimeSpan.FromSeconds(3), w[1]);
        // HTTP-date form: whole seconds on the wire, so 4–5 s depending on where in the second it was made.
        Assert.InRange(w[2], TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_dead_API_fails_within_its_deadline_with_the_last_status()
    {
        using var sandbox = SandboxProcess.Start("--seed", "5", "--orders", "100", "--faults", "down");
        var options = Options(attempts: 1000) with { Deadline = TimeSpan.FromSeconds(120), BreakerMinimumThroughput = 1000 };
        using var client = Create(options, null, sandbox.BaseUrl, sandbox.Token);
        var clock = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<QTicketsUnavailableException>(() => client.GetOrdersAsync(OrderQuery.PaidBetween(Now.AddDays(-1), Now)).ToListAsync());

        Assert.True(ex.TimedOut);
        Assert.Equal(503, ex.StatusCode);
        Assert.Contains("UNKNOWN_ERROR", ex.BodyExcerpt);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}"); // 120 virtual seconds at 100×
        // The deadline may cut the last attempt before the sandbox saw it.
        Assert.InRange(await sandbox.RequestCountAsync("/orders", "503"), ex.Attempts - 1, ex.Attempts);
    }

    [Fact]
    public async Task A_dead_API_with_pages_in_flight_trips_the_breaker()
    {
        using var sandbox = SandboxProcess.Start("--seed", "5", "--orders", "400");
        await sandbox.SetFaultsAsync("""{"rules":[{"type":"503","path":"/orders","skip":1}]}""");
        var observer = new RecordingObserver();
        using var client = Create(Options(attempts: 50) with { BreakerMinimumThroughput = 8 }, observer, sandbox.BaseUrl, sandbox.Token);

        var ex = await Assert.ThrowsAsync<QTicketsUnavailableException>(() => client.GetOrdersAsync(OrderQuery.PaidBetween(Now.AddDays(-90), Now) with { IncludeCancelled = true }).ToListAsync());

        Assert.True(ex.CircuitOpen);
        Assert.Contains("HTTP 503", ex.Message);
        Assert.InRange(await sandbox.RequestCountAsync("/orders", "503"), 8, 16);
    }

    [Theory]
    [InlineData("truncate")]
    [InlineData("reset")]
    [InlineData("502")]
    public async Task Broken_answers_are_retried_and_the_result_is_complete(string fault)
    {
        using var sandbox = SandboxProcess.Start("--seed", "6", "--orders", "400");
        var expected = await sandbox.OrderIdsAsync(PaidWindowWhere(Now.AddDays(-90), Now));
        await sandbox.SetFaultsAsync($$"""{"rules":[{"type":"{{fault}}","path":"/orders","count":2,"skip":1}]}""");
        var observer = new RecordingObserver();
        using var client = Create(Options(), observer, sandbox.BaseUrl, sandbox.Token);

        var orders = await client.GetOrdersAsync(OrderQuery.PaidBetween(Now.AddDays(-90), Now) with { IncludeCancelled = true }).ToListAsync();

        Assert.Equal(expected, orders.Select(o => o.Id));
        Assert.Equal(2, observer.VerboseLines.Count(l => l.StartsWith("Retrying in", StringComparison.Ordinal)));
        Assert.DoesNotContain(sandbox.Token, observer.AllText());
    }

    [Fact]
    public async Task A_wrong_token_is_an_authentication_error_after_one_request()
    {
        using var sandbox = SandboxProcess.Start("--seed", "7", "--orders", "50");
        using var client = Create(Options(), null, sandbox.BaseUrl, "qt-WRONG-token-123456789");

        var ex = await Assert.ThrowsAsync<QTicketsAuthenticationException>(() => client.GetOrdersAsync(OrderQuery.PaidBetween(Now.AddDays(-1), Now)).ToListAsync());

        Assert.Equal(403, ex.StatusCode);
        Assert.Equal(1, await sandbox.RequestCountAsync("/orders"));
        Assert.DoesNotContain("qt-WRONG-token-123456789", ex.ToString());
    }

    [Fact]
    public async Task Events_with_shows_and_city_single_events_unknown_ids_and_seat_totals()
    {
        using var sandbox = SandboxProcess.Start("--seed", "8", "--orders", "50");
        var raw = await sandbox.GetAsync("/events", """{"per_page":1000}""");
        var expected = raw.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetInt64()).ToList();
        using var client = Create(Options(), null, sandbox.BaseUrl, sandbox.Token);

        var events = await client.GetEventsAsync().ToListAsync();

        Assert.Equal(expected, events.Select(e => e.Id));
        Assert.True(events.Count > 10, "more than one default page of events");
        var withShows = events.First(e => e.Shows.Count > 0 && e.DeletedAt is null);
        Assert.NotEqual("", withShows.City);
        Assert.NotNull(TimeZoneInfo.FindSystemTimeZoneById(withShows.CityTimeZone));

        var single = await client.GetEventAsync(withShows.Id);
        Assert.Equal(withShows.Name, single.Name);
        var missing = await Assert.ThrowsAsync<QTicketsNotFoundException>(() => client.GetEventAsync(999_999_999));
        Assert.Equal("Event", missing.Resource);

        var seats = await client.GetShowSeatsAsync(withShows.Shows[0].Id);
        Assert.True(seats.MaxQuantity > 0);
        Assert.InRange(seats.FreeQuantity, 0, seats.MaxQuantity);
    }
}
