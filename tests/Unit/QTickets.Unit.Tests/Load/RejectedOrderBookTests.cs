using QTickets.Core.Load;
using QTickets.Core.Model;
using QTickets.Core.Contracts;

namespace QTickets.Unit.Tests.Load;

public class RejectedOrderBookTests
{
    static readonly DateTime Yesterday = new(2026, 11, 19, 12, 0, 0);
    static readonly DateTime Now = new(2026, 11, 20, 12, 0, 0);
    static readonly Guid Run = Guid.NewGuid();

    static RejectedOrder Known(string id, string state = RejectedOrderState.Open, uint attempts = 1, ulong version = 3) => new()
    {
        Job = "qtickets_api", OrderId = id, Problem = "earlier problem", State = state, FirstSeen = Yesterday, LastSeen = Yesterday,
        Attempts = attempts, RunId = Guid.NewGuid(), Note = state == RejectedOrderState.Ignored ? "a test order" : "", Version = version,
    };

    static Order O(long id) => new() { Id = id, SourceId = id.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    [Fact]
    public void Open_orders_with_numeric_ids_are_retried_except_those_the_window_already_brought()
    {
        var book = new RejectedOrderBook("qtickets_api", Run, Now,
            new[] { Known("30"), Known("10"), Known("abc"), Known("20", RejectedOrderState.Ignored) }, lastVersion: 7);
        book.Loaded(O(30));
        Assert.Equal(new long[] { 10 }, book.ToRetry());
    }

    [Fact]
    public void A_new_rejection_opens_an_entry_and_a_repeated_one_keeps_its_first_sighting()
    {
        var book = new RejectedOrderBook("qtickets_api", Run, Now, new[] { Known("10", attempts: 2) }, lastVersion: 7);
        Assert.True(book.Reject(O(10), "price '12,5 руб' is not an amount of money"));
        Assert.True(book.Reject(O(11), "event 5 unknown"));
        var rows = book.Changes.ToDictionary(r => r.OrderId);
        Assert.Equal(Yesterday, rows["10"].FirstSeen);
        Assert.Equal(3u, rows["10"].Attempts);
        Assert.Equal("price '12,5 руб' is not an amount of money", rows["10"].Problem);
        Assert.Equal(Now, rows["11"].FirstSeen);
        Assert.Equal(1u, rows["11"].Attempts);
        Assert.All(rows.Values, r => Assert.Equal(RejectedOrderState.Open, r.State));
        // Every row of the run is one above the table's highest version, whatever the order's own earlier version.
        Assert.All(rows.Values, r => Assert.Equal(8UL, r.Version));
        Assert.All(rows.Values, r => Assert.Equal(Run, r.RunId));
        Assert.Equal(2, book.Open);
    }

    [Fact]
    public void An_open_order_that_loads_is_closed_and_no_longer_counts()
    {
        var book = new RejectedOrderBook("qtickets_api", Run, Now, new[] { Known("10"), Known("12") }, lastVersion: 3);
        book.Loaded(O(10));
        book.Loaded(O(99)); // never rejected: nothing to write
        var row = Assert.Single(book.Changes);
        Assert.Equal(("10", RejectedOrderState.Loaded, 4UL), (row.OrderId, row.State, row.Version));
        Assert.Equal(1, book.Reloaded);
        Assert.Equal(1, book.Open); // 12 is still open: not met in this run
        Assert.Equal("12", Assert.Single(book.OpenOrders).OrderId);
    }

    [Fact]
    public void An_order_a_person_ignored_is_not_retried_does_not_count_and_keeps_the_persons_state()
    {
        var book = new RejectedOrderBook("qtickets_api", Run, Now, new[] { Known("10", RejectedOrderState.Ignored) }, lastVersion: 3);
        Assert.Empty(book.ToRetry());
        Assert.False(book.Reject(O(10), "still unreadable"));
        Assert.Empty(book.Changes);
        Assert.Equal(0, book.Open);
        Assert.Equal(1, book.IgnoredSeen);
    }

    [Fact]
    public void A_retry_the_API_no_longer_knows_stays_open_saying_so()
    {
        var book = new RejectedOrderBook("qtickets_api", Run, Now, new[] { Known("10") }, lastVersion: 3);
        book.NotFound(10);
        var row = Assert.Single(book.Changes);
        Assert.Equal(RejectedOrderState.Open, row.State);
        Assert.Contains("GET /orders/10 answered 404", row.Problem);
        Assert.Equal(1, book.Open);
    }

    [Fact]
    public void An_order_rejected_again_after_it_had_loaded_opens_again_above_every_earlier_version()
    {
        // The table's loaded rows are not read back (known holds open and ignored ones only), but the version is the table's highest.
        var book = new RejectedOrderBook("qtickets_api", Run, Now, Array.Empty<RejectedOrder>(), lastVersion: 41);
        Assert.True(book.Reject(O(10), "event 5 unknown"));
        Assert.Equal(42UL, Assert.Single(book.Changes).Version);
    }
}

public class FreshnessWithRejectedOrdersTests
{
    static readonly DateTime Now = new(2026, 11, 20, 12, 0, 0);

    static FreshnessReport Judge(long open) => FreshnessReport.Judge("qtickets_api", new FreshnessFacts
    {
        NewestSale = Now.AddMinutes(-10), NewestInventory = Now.AddMinutes(-10), Runs = 96, FailedRuns = 0,
        LastRunStatus = "ok", LastRunAt = Now.AddMinutes(-5), LastOkRunAt = Now.AddMinutes(-5), OpenRejectedOrders = open,
    }, Now, TimeSpan.FromHours(2), 5, TimeSpan.FromHours(24), checkInventory: true);

    [Fact]
    public void Open_rejected_orders_make_fresh_data_unhealthy_and_are_counted_in_both_lines()
    {
        var healthy = Judge(0);
        Assert.True(healthy.Healthy, healthy.Problems);
        Assert.Contains("0 rejected orders open", healthy.ToString());

        var report = Judge(87);
        Assert.False(report.Healthy);
        Assert.Equal(1, report.ExitCode);
        Assert.Equal(87, report.OpenRejectedOrders);
        Assert.Contains("87 rejected order(s) wait for a reload", report.ToString());
        Assert.Contains("qtickets_rejected_orders", report.Problems);
        Assert.Contains("\"open_rejected_orders\":87", report.ToJson());
    }
}
