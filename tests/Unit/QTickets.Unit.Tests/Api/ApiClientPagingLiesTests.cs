using QTickets.Core.Contracts;
using QTickets.Core.Model;
using static QTickets.Unit.Tests.Api.ApiKit;

namespace QTickets.Unit.Tests.Api;

/// <summary>
/// The paged reader against an API whose paging lies (total low, high or missing, perPage wrong, pages or the id
/// filter ignored, rows cut from a page): it reads every row or fails with a named contradiction, never less.
/// </summary>
public sealed class ApiClientPagingLiesTests
{
    static IEnumerable<string> PaidOrders(long from, int count) =>
        Enumerable.Range(0, count).Select(i => FakeApi.Order(from + i, Since.AddHours(1 + i % 300)));

    static List<long> Ids(long from, int count) => Enumerable.Range(0, count).Select(i => from + i).ToList();

    static async Task<(List<long> Ids, RecordingObserver Observer)> ReadAsync(FakeApi api, int parallelism = 4)
    {
        var observer = new RecordingObserver();
        using var client = Create(FastOptions(api) with { Parallelism = parallelism }, observer);
        var orders = await client.GetOrdersAsync(OrderQuery.PaidBetween(Since, Until)).ToListAsync();
        return (orders.Select(o => o.Id).ToList(), observer);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task A_total_far_too_low_still_reads_every_page(int parallelism)
    {
        var api = new FakeApi { PerPage = 10, MaxDelayMs = 10, ReportedTotal = 4 }.AddOrders(PaidOrders(1000, 305));

        var (ids, observer) = await ReadAsync(api, parallelism);

        Assert.Equal(Ids(1000, 305), ids);
        // 31 pages (the last short), at most the pages in flight past it, one keyset request.
        Assert.InRange(api.Requests.Count, 32, 31 + parallelism + 1);
        Assert.Contains(observer.Warnings, w => w.Contains("paging.total says 4 orders, but the pages held 305", StringComparison.Ordinal));
        Assert.True(api.MaxInFlight <= parallelism);
    }

    [Fact]
    public async Task A_total_far_too_high_stops_at_the_first_short_page_instead_of_asking_for_thousands()
    {
        var api = new FakeApi { PerPage = 10, MaxDelayMs = 10, ReportedTotal = 100_000 }.AddOrders(PaidOrders(1000, 137));

        var (ids, observer) = await ReadAsync(api);

        Assert.Equal(Ids(1000, 137), ids);
        // 14 pages, up to 7 fetched ahead past the short one (twice the 4 in flight; cancelled or empty), one keyset request.
        Assert.InRange(api.Requests.Count, 15, 22);
        Assert.Contains(observer.Warnings, w => w.Contains("paging.total says 100000 orders, but the pages end after 137", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_total_too_high_on_an_exact_multiple_stops_at_the_first_empty_page()
    {
        var api = new FakeApi { PerPage = 10, ReportedTotal = 100_000 }.AddOrders(PaidOrders(1000, 140));

        var (ids, _) = await ReadAsync(api);

        Assert.Equal(Ids(1000, 140), ids);
        Assert.InRange(api.Requests.Count, 16, 23); // 14 full, the empty 15th, up to 7 fetched ahead past it, one keyset request
    }

    [Theory]
    [InlineData(137)]
    [InlineData(140)]
    [InlineData(7)]
    public async Task Answers_without_paging_are_read_until_the_pages_end(int count)
    {
        var api = new FakeApi { PerPage = 10, MaxDelayMs = 10, NoPaging = true }.AddOrders(PaidOrders(1000, count));

        var (ids, observer) = await ReadAsync(api);

        Assert.Equal(Ids(1000, count), ids);
        Assert.Contains(observer.Warnings, w => w.Contains("GET /orders page 1 has no paging", StringComparison.Ordinal));
        Assert.InRange(api.Requests.Count, count / 10 + 2, count / 10 + 2 + 4);
    }

    [Fact]
    public async Task A_perPage_too_high_is_corrected_by_the_pages_themselves()
    {
        var api = new FakeApi { PerPage = 10, ReportedPerPage = 100 }.AddOrders(PaidOrders(1000, 137));

        var (ids, _) = await ReadAsync(api);

        Assert.Equal(Ids(1000, 137), ids);
        // Pages 1 and 2 hold 10 each where perPage says 100: from then on a page holds 10, and the keyset run pages in parallel.
        Assert.True(api.Requests.Count <= 25, $"{api.Requests.Count} requests");
    }

    [Fact]
    public async Task A_perPage_too_low_is_raised_by_the_rows_a_page_holds()
    {
        var api = new FakeApi { PerPage = 10, ReportedPerPage = 3 }.AddOrders(PaidOrders(1000, 137));

        var (ids, _) = await ReadAsync(api);

        Assert.Equal(Ids(1000, 137), ids);
        Assert.True(api.Requests.Count <= 19, $"{api.Requests.Count} requests");
    }

    [Fact]
    public async Task An_API_ignoring_the_page_number_is_read_by_id_instead()
    {
        var api = new FakeApi { PerPage = 10, IgnorePage = true }.AddOrders(PaidOrders(1000, 35));

        var (ids, _) = await ReadAsync(api, parallelism: 1);

        Assert.Equal(Ids(1000, 35), ids);
    }

    [Fact]
    public async Task An_API_ignoring_both_the_page_number_and_the_id_filter_fails_the_read()
    {
        var api = new FakeApi { PerPage = 10, IgnorePage = true, IgnoreIdFilter = true }.AddOrders(PaidOrders(1000, 35));

        var ex = await Assert.ThrowsAsync<QTicketsResponseException>(() => ReadAsync(api));

        Assert.Contains("ignores the id filter and its numbered pages stopped advancing", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public async Task An_API_ignoring_only_the_id_filter_ends_the_read_at_its_short_page()
    {
        var api = new FakeApi { PerPage = 10, IgnoreIdFilter = true }.AddOrders(PaidOrders(1000, 35));

        var (ids, observer) = await ReadAsync(api);

        Assert.Equal(Ids(1000, 35), ids);
        Assert.Contains(observer.VerboseLines, l => l.Contains("ignored `id >", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_short_page_followed_by_a_full_page_fails_naming_the_contradiction()
    {
        // Page 3 loses 4 rows from its middle; paging stays honest.
        var api = new FakeApi
        {
            PerPage = 10,
            Rows = (page, rows) => page == 3 ? rows.Take(3).Concat(rows.Skip(7)).ToList() : rows,
        }.AddOrders(PaidOrders(1000, 100));

        var ex = await Assert.ThrowsAsync<QTicketsResponseException>(() => ReadAsync(api));

        Assert.Equal("The answers to GET /orders contradict each other: page 3 held 6 orders where a page holds 10, which ends the list, " +
                     "yet page 4 held 10 more (ids 1030..1039); rows may be missing from page 3, so the read is not reliable.", ex.Message);
    }

    [Fact]
    public async Task The_contradiction_is_found_with_one_page_at_a_time_too()
    {
        var api = new FakeApi
        {
            PerPage = 10,
            Rows = (page, rows) => page == 2 ? rows.Take(9).ToList() : rows,
        }.AddOrders(PaidOrders(1000, 100));

        var ex = await Assert.ThrowsAsync<QTicketsResponseException>(() => ReadAsync(api, parallelism: 1));

        Assert.Contains("page 2 held 9 orders where a page holds 10", ex.Message);
    }

    [Fact]
    public async Task A_keyset_page_below_its_own_id_filter_fails_the_read()
    {
        // Keyset pages after the first one go back below the id asked for.
        var api = new FakeApi { PerPage = 10, ReportedTotal = 1 }.AddOrders(PaidOrders(1000, 45));
        api.Intercept = (seen, _) => Task.FromResult(seen.Where("id", ">") is not null && seen.Page == 2
            ? FakeApi.Json(200, $"{{\"data\":[{FakeApi.Order(1001, Since.AddHours(2))}],\"paging\":{{\"perPage\":10,\"currentPage\":2,\"total\":20}}}}")
            : null);
        api.Rows = (page, rows) => page == 2 ? rows.Take(5).ToList() : rows; // the first run ends at page 2

        var ex = await Assert.ThrowsAsync<QTicketsResponseException>(() => ReadAsync(api, parallelism: 1));

        Assert.Contains("has id 1001 although it asked for ids above 1014", ex.Message);
        Assert.Contains("the ids went backwards", ex.Message);
    }

    [Theory]
    [InlineData("\"total\":\"many\"", "unreadable paging.total (\"many\")")]
    [InlineData("\"total\":-1", "unreadable paging.total (-1)")]
    [InlineData("\"perPage\":0", "unreadable paging.perPage (0)")]
    public async Task An_unreadable_paging_fails_the_read(string field, string expected)
    {
        var api = new FakeApi
        {
            Intercept = (seen, _) => Task.FromResult<HttpResponseMessage?>(FakeApi.Json(200,
                $"{{\"data\":[{FakeApi.Order(5, Since.AddDays(1))}],\"paging\":{{\"currentPage\":1,{field}}}}}")),
        };

        var ex = await Assert.ThrowsAsync<QTicketsResponseException>(() => ReadAsync(api));

        Assert.Equal($"The answer to GET /orders page 1 has an {expected}.", ex.Message);
    }

    [Fact]
    public async Task An_answer_without_data_fails_the_read()
    {
        var api = new FakeApi { Intercept = (seen, _) => Task.FromResult<HttpResponseMessage?>(FakeApi.Json(200, """{"paging":{"perPage":50,"currentPage":1,"total":3}}""")) };

        var ex = await Assert.ThrowsAsync<QTicketsResponseException>(() => ReadAsync(api));

        Assert.Equal("The answer to GET /orders page 1 has no data array.", ex.Message);
    }

    [Fact]
    public async Task An_honest_API_costs_its_pages_one_past_a_full_last_page_and_one_keyset_request()
    {
        var api = new FakeApi { PerPage = 10, MaxDelayMs = 10 }.AddOrders(PaidOrders(1000, 140));

        var (ids, observer) = await ReadAsync(api);

        Assert.Equal(Ids(1000, 140), ids);
        // 14 full pages; a full last page is not the end by itself, so page 15 (empty); the keyset request confirms nothing newer.
        Assert.Equal(16, api.Requests.Count);
        Assert.Empty(observer.Warnings);
    }
}
