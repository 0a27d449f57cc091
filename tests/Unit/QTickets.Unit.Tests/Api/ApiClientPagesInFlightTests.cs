using QTickets.Core.Contracts;
using QTickets.Core.Load;
using QTickets.Engine.Api;
using static QTickets.Unit.Tests.Api.ApiKit;

namespace QTickets.Unit.Tests.Api;

/// <summary>The API client's pages in flight against an in-memory API: adaptive, pinned, capped, and what it reports.</summary>
public sealed class ApiClientPagesInFlightTests
{
    static IEnumerable<string> PaidOrders(long from, int count) =>
        Enumerable.Range(0, count).Select(i => FakeApi.Order(from + i, Since.AddHours(1 + i % 300)));

    static async Task<(List<long> Ids, PagesInFlightReport Report, RecordingObserver Observer)> ReadAsync(FakeApi api, ApiOptions options)
    {
        var observer = new RecordingObserver();
        using var client = Create(options, observer);
        var orders = await client.GetOrdersAsync(OrderQuery.PaidBetween(Since, Until)).ToListAsync();
        return (orders.Select(o => o.Id).ToList(), client.PagesInFlight, observer);
    }

    [Fact]
    public async Task A_healthy_api_is_read_with_more_pages_in_flight_than_the_start_and_never_more_than_the_ceiling()
    {
        var api = new FakeApi { PerPage = 10, MaxDelayMs = 15 }.AddOrders(PaidOrders(1000, 600));

        var (ids, report, observer) = await ReadAsync(api, FastOptions(api));

        Assert.Equal(Enumerable.Range(1000, 600).Select(i => (long)i), ids);
        Assert.Equal(("adaptive", 8, 8), (report.Mode, report.Ceiling, report.Max));
        Assert.InRange(api.MaxInFlight, 5, 8);
        Assert.Contains(observer.VerboseLines, l => l.StartsWith("Pages in flight 4 -> 8:", StringComparison.Ordinal));
        Assert.Contains(observer.VerboseLines, l => l.StartsWith("Read orders from GET /orders: ", StringComparison.Ordinal) && l.Contains("-8 pages in flight"));
    }

    [Fact]
    public async Task The_ceiling_caps_it_and_a_pinned_number_holds()
    {
        var capped = new FakeApi { PerPage = 10, MaxDelayMs = 10 }.AddOrders(PaidOrders(1000, 300));
        var (_, report, _) = await ReadAsync(capped, FastOptions(capped) with { MaxParallelism = 3 });
        Assert.True(capped.MaxInFlight <= 3, $"{capped.MaxInFlight} in flight");
        Assert.Equal((3, 3), (report.Ceiling, report.Max));

        var pinned = new FakeApi { PerPage = 10, MaxDelayMs = 10 }.AddOrders(PaidOrders(1000, 300));
        var (ids, pinnedReport, observer) = await ReadAsync(pinned, FastOptions(pinned) with { Parallelism = 2 });
        Assert.Equal(300, ids.Count);
        Assert.Equal(2, pinned.MaxInFlight);
        Assert.Equal(("pinned", 2, 2, 2), (pinnedReport.Mode, pinnedReport.Min, pinnedReport.Max, pinnedReport.Final));
        Assert.Contains(observer.VerboseLines, l => l == "Pages in flight: 2, pinned by -Parallelism.");
    }

    [Fact]
    public async Task Answers_429_cut_the_pages_in_flight_and_every_row_is_still_read_once()
    {
        var api = new FakeApi { PerPage = 10, MaxDelayMs = 5 }.AddOrders(PaidOrders(1000, 400));
        // Pages 20 to 25 are refused once each, as a rate limit would while the client runs too fast.
        var refused = new HashSet<int>();
        api.Intercept = (seen, _) =>
        {
            lock (refused)
                return Task.FromResult(seen.Page is >= 20 and <= 25 && seen.Where("id", ">") is null && refused.Add(seen.Page)
                    ? FakeApi.Json(429, """{"error":"Too Many Requests","status":429}""")
                    : null);
        };

        var (ids, report, observer) = await ReadAsync(api, FastOptions(api));

        Assert.Equal(Enumerable.Range(1000, 400).Select(i => (long)i), ids);
        Assert.Equal(6L, report.Throttled);
        Assert.True(report.Cuts >= 1);
        Assert.True(report.Min < 8);
        Assert.NotNull(report.Pace);
        Assert.Contains(observer.VerboseLines, l => l.StartsWith("Pages in flight ", StringComparison.Ordinal) && l.Contains("requests a second: HTTP 429"));
        Assert.Contains(observer.VerboseLines, l => l.StartsWith("Read orders from GET /orders: ", StringComparison.Ordinal) && l.Contains(" requests/s"));
    }

    [Fact]
    public async Task Once_a_429_has_set_a_pace_the_reader_sends_every_page_in_its_slot()
    {
        // A controller paced at about 4 requests a second (the reader's clock: the test's, 100 times real time).
        var inFlight = new PagesInFlight(ceiling: 8);
        for (var i = 1; i <= 20; i++)
            inFlight.Record(inFlight.Sent(), AttemptSignal.Answered, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(200 * i + 250));
        inFlight.Record(inFlight.Sent(), AttemptSignal.Throttled, TimeSpan.Zero, TimeSpan.FromSeconds(4.2));
        inFlight.Sent(); // the 429's retry, in the slot it took

        var api = new FakeApi { PerPage = 10 }.AddOrders(PaidOrders(1000, 200));
        var options = FastOptions(api);
        var clock = options.TimeProvider;
        var sentAt = new List<TimeSpan>();
        api.Intercept = (_, _) =>
        {
            lock (sentAt) sentAt.Add(clock.GetElapsedTime(0));
            return Task.FromResult<HttpResponseMessage?>(null);
        };
        var observer = new RecordingObserver();
        using var transport = new ApiTransport(new Uri("http://127.0.0.1:9/api/rest/v1"), Token, "fp", options, observer, inFlight);
        var reader = new PagedReader(transport, options, inFlight, observer);

        var started = clock.GetElapsedTime(0);
        var ids = await reader.ReadAsync("/orders", [], PageFormat.Orders(false), o => o.Id, "orders", default).ToListAsync();

        Assert.Equal(Enumerable.Range(1000, 200).Select(i => (long)i), ids.Select(o => o.Id));
        // Each request took the next slot, one 1/pace apart from the first; the pace only grew meanwhile (every request
        // waited for its slot), so the last went no sooner than (requests - 1) slots of the final pace after the start.
        var pace = inFlight.Pace!.Value;
        Assert.True(pace > 3.9);
        Assert.True(sentAt.Count >= 21, $"{sentAt.Count} requests");
        Assert.True(sentAt.Max() - started >= TimeSpan.FromSeconds((sentAt.Count - 1) / pace),
            $"{sentAt.Count} requests within {(sentAt.Max() - started).TotalSeconds:0.00} s at {pace:0.00} a second");
        Assert.Equal(1L, inFlight.Report().Throttled); // only the one that set the pace
    }

    [Fact]
    public async Task A_load_reports_the_pages_in_flight_its_api_client_used()
    {
        var api = new FakeApi { PerPage = 10 }.AddOrders(PaidOrders(1000, 30));
        api.Intercept = (seen, _) => Task.FromResult(seen.Path == "/events"
            ? FakeApi.Json(200, """{"data":[],"paging":{"total":0,"perPage":10,"currentPage":1}}""")
            : null);
        using var client = Create(FastOptions(api) with { Parallelism = 3 });

        var summary = await new QTicketsLoader(new ApiLoadSource(client), null,
            new LoadOptions { DryRun = true, SkipInventory = true }, new RecordingObserver()).RunAsync(default);

        Assert.NotNull(summary.PagesInFlight);
        Assert.Equal(("pinned", 3), (summary.PagesInFlight.Mode, summary.PagesInFlight.Final));
        Assert.Equal(api.Requests.Count, summary.PagesInFlight.Requests);
        Assert.Contains("\"pages_in_flight\":{\"mode\":\"pinned\"", summary.ToJson());
    }

    [Fact]
    public void The_run_summary_says_what_was_used_in_its_line_its_json_and_meta_job_runs()
    {
        var summary = new LoadSummary
        {
            Job = "qtickets_api", StartedAt = DateTimeOffset.UnixEpoch, FinishedAt = DateTimeOffset.UnixEpoch.AddSeconds(3),
            PagesInFlight = new PagesInFlightReport("adaptive", 8, 2, 8, 6, 6.4, 120, 3, 1, 0, 2),
        };

        Assert.Contains("2-8 pages in flight (mean 6.4, ceiling 8, 2 cuts, 3 x 429)", summary.HumanLine);
        const string json = "\"pages_in_flight\":{\"mode\":\"adaptive\",\"ceiling\":8,\"min\":2,\"max\":8,\"mean\":6.4,\"final\":6," +
                            "\"requests\":120,\"throttled\":3,\"unavailable\":1,\"timed_out\":0,\"cuts\":2}";
        Assert.Contains(json, summary.ToJson());
        Assert.Contains(json, summary.JobRunMetrics(2));
        Assert.DoesNotContain("pages_in_flight", new LoadSummary { Job = "offline" }.ToJson());
        Assert.DoesNotContain("pace", summary.ToJson());

        var paced = new LoadSummary
        {
            Job = "qtickets_api", StartedAt = DateTimeOffset.UnixEpoch, FinishedAt = DateTimeOffset.UnixEpoch.AddSeconds(3),
            PagesInFlight = new PagesInFlightReport("adaptive", 8, 2, 6, 3, 3.1, 203, 1, 0, 0, 1, Pace: 5.58, PaceMin: 3.7),
        };
        Assert.Contains("2-6 pages in flight (mean 3.1, ceiling 8, 1 cuts, 1 x 429, paced at 5.58 requests/s, lowest 3.7)", paced.HumanLine);
        const string pacedJson = "\"cuts\":1,\"pace_per_second\":5.58,\"pace_min_per_second\":3.7}";
        Assert.Contains(pacedJson, paced.ToJson());
        Assert.Contains(pacedJson, paced.JobRunMetrics(2));
    }
}
