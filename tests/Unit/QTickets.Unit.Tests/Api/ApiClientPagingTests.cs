using QTickets.Core.Contracts;
using QTickets.Core.Model;
using static QTickets.Unit.Tests.Api.ApiKit;

namespace QTickets.Unit.Tests.Api;

/// <summary>Requests and paging of the API client against an in-memory API (fast, deterministic).</summary>
public sealed class ApiClientPagingTests
{
    static IEnumerable<string> PaidOrders(long from, int count) =>
        Enumerable.Range(0, count).Select(i => FakeApi.Order(from + i, Since.AddHours(1 + i % 300)));

    [Fact]
    public async Task Sends_a_GET_with_a_JSON_body_the_documented_headers_and_the_payment_window_in_Moscow_time()
    {
        var api = new FakeApi().AddOrders(PaidOrders(100, 3));
        using var client = Create(FastOptions(api));
        var since = new DateTimeOffset(2026, 11, 1, 0, 0, 0, 500, TimeSpan.Zero);
        var until = new DateTimeOffset(2026, 11, 20, 0, 0, 0, 250, TimeSpan.Zero);

        await client.GetOrdersAsync(OrderQuery.PaidBetween(since, until)).ToListAsync();

        var first = api.Requests.First();
        Assert.Equal(HttpMethod.Get, first.Method);
        Assert.Equal("/orders", first.Path);
        Assert.Equal("Bearer " + Token, first.Authorization);
        Assert.Equal("application/json", first.Accept);
        Assert.Equal("no-cache", first.CacheControl);
        Assert.Equal("application/json", first.ContentType);
        Assert.Equal("1", first.Where("payed", "="));
        // Whole seconds, widened so the server's set contains the exact window; the client re-checks exactly.
        Assert.Equal("2026-11-01T03:00:00+03:00", first.Where("payed_at", ">="));
        Assert.Equal("2026-11-20T03:00:01+03:00", first.Where("payed_at", "<"));
        Assert.Equal("asc", first.Json!.Value.GetProperty("orderBy").GetProperty("id").GetString());
        Assert.Equal(1, first.Page);
    }

    [Fact]
    public async Task Changes_filter_on_updated_at_and_unpaid_windows_on_created_at()
    {
        var api = new FakeApi();
        using var client = Create(FastOptions(api));
        await client.GetOrdersAsync(OrderQuery.ChangedSince(Since)).ToListAsync();
        await client.GetOrdersAsync(OrderQuery.PaidBetween(Since, Until) with { IncludeUnpaid = true }).ToListAsync();

        var requests = api.Requests.ToList();
        Assert.Equal("2026-11-01T00:00:00+03:00", requests[0].Where("updated_at", ">="));
        Assert.Equal("1", requests[0].Where("payed", "="));
        var unpaid = requests.First(r => r.Where("created_at", ">=") is not null);
        Assert.Null(unpaid.Where("payed", "="));
        Assert.Equal("2026-11-20T00:00:00+03:00", unpaid.Where("created_at", "<"));
    }

    [Fact]
    public async Task Reads_every_page_with_pages_in_flight_and_yields_each_id_once_in_order()
    {
        var api = new FakeApi { PerPage = 10, MaxDelayMs = 30 }.AddOrders(PaidOrders(1000, 137));
        var observer = new RecordingObserver();
        using var client = Create(FastOptions(api) with { Parallelism = 4 }, observer);

        var orders = await client.GetOrdersAsync(OrderQuery.PaidBetween(Since, Until)).ToListAsync();

        Assert.Equal(Enumerable.Range(1000, 137).Select(i => (long)i), orders.Select(o => o.Id));
        Assert.InRange(api.MaxInFlight, 2, 4);
        // 14 snapshot pages + 1 keyset sweep that finds nothing new.
        Assert.Equal(15, api.Requests.Count);
        Assert.Equal(15, observer.VerboseLines.Count(l => l.StartsWith("GET /orders page", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Orders_created_during_the_read_are_neither_skipped_nor_repeated()
    {
        var api = new FakeApi { PerPage = 10 }.AddOrders(PaidOrders(1000, 50));
        var inserted = 0;
        api.BeforePage = seen =>
        {
            // While page 3 is served: 5 new orders (higher ids) and 3 late payments of old reservations
            // (lower ids: the set grows below the pages already read, shifting the rest right).
            if (seen.Page == 3 && seen.Where("id", ">") is null && Interlocked.Exchange(ref inserted, 1) == 0)
                api.AddOrders(PaidOrders(5000, 5).Concat(PaidOrders(10, 3)));
        };
        using var client = Create(FastOptions(api) with { Parallelism = 1 });

        var ids = (await client.GetOrdersAsync(OrderQuery.PaidBetween(Since, Until)).ToListAsync()).Select(o => o.Id).ToList();

        Assert.Equal(ids.Distinct().Count(), ids.Count);
        Assert.Equal(ids.Order(), ids);
        Assert.Superset(Enumerable.Range(1000, 50).Select(i => (long)i).ToHashSet(), ids.ToHashSet());
        Assert.Superset(Enumerable.Range(5000, 5).Select(i => (long)i).ToHashSet(), ids.ToHashSet());
    }

    [Fact]
    public async Task Re_checks_the_window_and_status_client_side()
    {
        var inside = Since.AddDays(1);
        var api = new FakeApi().AddOrders(new[]
        {
            FakeApi.Order(1, inside),
            FakeApi.Order(2, Since.AddSeconds(-1)),          // before the window
            FakeApi.Order(3, Until),                          // the end is exclusive
            FakeApi.Order(4, null),                           // unpaid
            FakeApi.Order(5, inside, deleted: true),          // cancelled
            FakeApi.Order(6, Until.AddTicks(-1)),
        });
        using var client = Create(FastOptions(api));

        var paid = await client.GetOrdersAsync(OrderQuery.PaidBetween(Since, Until)).ToListAsync();
        var withCancelled = await client.GetOrdersAsync(OrderQuery.PaidBetween(Since, Until) with { IncludeCancelled = true }).ToListAsync();

        Assert.Equal(new long[] { 1, 6 }, paid.Select(o => o.Id));
        Assert.Equal(new long[] { 1, 5, 6 }, withCancelled.Select(o => o.Id));
    }

    [Fact]
    public async Task Personal_data_is_absent_unless_asked_for()
    {
        var api = new FakeApi().AddOrders(PaidOrders(1, 2));
        using var client = Create(FastOptions(api));

        var plain = await client.GetOrdersAsync(OrderQuery.PaidBetween(Since, Until)).ToListAsync();
        var personal = await client.GetOrdersAsync(OrderQuery.PaidBetween(Since, Until) with { IncludePersonalData = true }).ToListAsync();

        Assert.All(plain, o => Assert.Null(o.ClientEmail));
        Assert.All(plain, o => Assert.DoesNotContain("@example.test", o.PayloadJson.ToString()));
        Assert.Equal("buyer1@example.test", personal[0].ClientEmail);
    }

    [Fact]
    public async Task Ids_out_of_order_fail_loudly_instead_of_dropping_rows()
    {
        var api = new FakeApi
        {
            Intercept = (seen, _) => Task.FromResult<HttpResponseMessage?>(FakeApi.Json(200,
                $"{{\"data\":[{FakeApi.Order(5, Since.AddDays(1))},{FakeApi.Order(4, Since.AddDays(1))}],\"paging\":{{\"perPage\":50,\"currentPage\":1,\"total\":2}}}}")),
        };
        using var client = Create(FastOptions(api));

        var ex = await Assert.ThrowsAsync<QTicketsResponseException>(() => client.GetOrdersAsync(OrderQuery.PaidBetween(Since, Until)).ToListAsync());
        Assert.Contains("GET /orders page 1", ex.Message);
        Assert.Contains("not sorted by id", ex.Message);
    }

    [Fact]
    public async Task Progress_reports_page_N_of_M_and_always_completes_even_on_failure()
    {
        var api = new FakeApi { PerPage = 10 }.AddOrders(PaidOrders(1, 30));
        var observer = new RecordingObserver();
        using (var client = Create(FastOptions(api), observer))
            await client.GetOrdersAsync(OrderQuery.PaidBetween(Since, Until)).ToListAsync();
        Assert.Contains(observer.Progress, p => p.Status == "page 3 of 3");
        Assert.True(observer.Progress[^1].Completed);

        var failing = new FakeApi { PerPage = 10 }.AddOrders(PaidOrders(1, 30));
        failing.Intercept = (seen, _) => Task.FromResult(seen.Page == 2 ? FakeApi.Json(400, """{"error":"bad","status":400}""") : null);
        var observer2 = new RecordingObserver();
        using var client2 = Create(FastOptions(failing), observer2);
        await Assert.ThrowsAsync<QTicketsApiException>(() => client2.GetOrdersAsync(OrderQuery.PaidBetween(Since, Until)).ToListAsync());
        Assert.True(observer2.Progress[^1].Completed);
    }

    [Fact]
    public async Task Single_order_by_id_and_an_unknown_id_as_not_found()
    {
        var api = new FakeApi
        {
            Intercept = (seen, _) => Task.FromResult(seen.Path == "/orders/7"
                ? FakeApi.Json(200, "{\"data\":" + FakeApi.Order(7, Since.AddDays(1)) + "}")
                : seen.Path == "/orders/8"
                    ? FakeApi.Json(404, """{"error":"Resource \"Order\" not found","status":404,"code":"RESOURCE_NOT_FOUND","info":{"id":8,"resource":"Order"}}""")
                    : null),
        };
        using var client = Create(FastOptions(api));

        var order = await client.GetOrderAsync(7, includePersonalData: false);
        var ex = await Assert.ThrowsAsync<QTicketsNotFoundException>(() => client.GetOrderAsync(8, false));

        Assert.Equal(7, order.Id);
        Assert.Null(api.Requests.First().Body);
        Assert.Equal(8, ex.Id);
        Assert.Equal("Order", ex.Resource);
        Assert.Equal(2, api.Requests.Count); // a 404 is never retried
    }

    [Fact]
    public async Task Seat_totals_sum_max_and_free_quantities_of_a_flat_seat_map()
    {
        var api = new FakeApi
        {
            Intercept = (seen, _) => Task.FromResult<HttpResponseMessage?>(FakeApi.Json(200,
                """{"data":{"A-1;1":{"max_quantity":1,"free_quantity":0},"A-1;2":{"max_quantity":1,"free_quantity":1},"STAND-1;1":{"max_quantity":"500","free_quantity":"120"}}}""")),
        };
        using var client = Create(FastOptions(api));

        var totals = await client.GetShowSeatsAsync(200001);

        Assert.Equal(new ShowSeatTotals(200001, 3, 502, 121), totals);
        var request = api.Requests.Single();
        Assert.Equal("/shows/200001/seats", request.Path);
        Assert.True(request.Json!.Value.GetProperty("flat").GetBoolean());
        Assert.Equal(new[] { "max_quantity", "free_quantity" }, request.Json!.Value.GetProperty("select").EnumerateArray().Select(e => e.GetString()));
    }
}
