using System.Text.Json;
using QTickets.Core.Load;
using QTickets.Core.Model;
using QTickets.Core.Contracts;
using QTickets.Core.Reconcile;
using QTickets.Core.Transform;

namespace QTickets.Unit.Tests.Reconcile;

/// <summary>The comparison's definition: the API side by the loader's rules, the join of three sides, the verdict.</summary>
public sealed class ReconcileComparisonTests
{
    static readonly DateOnly Nov18 = new(2026, 11, 18);
    static readonly DateOnly Nov19 = new(2026, 11, 19);
    static readonly Event Concert = new() { Id = 31000, Name = "Concert", City = "Москва" };
    static readonly Event Play = new() { Id = 31001, Name = "Play", City = "Томск" };

    static Order Paid(long id, string payedAt, Event ev, params decimal[] prices) => new()
    {
        Id = id,
        Payed = true,
        PayedAt = DateTimeOffset.Parse(payedAt, System.Globalization.CultureInfo.InvariantCulture),
        EventId = ev.Id,
        CurrencyId = "RUB",
        Baskets = prices.Select((p, i) => new Basket { Id = id * 10 + i, Price = p }).ToList(),
    };

    static ApiTotals Totals(DateOnly from, DateOnly to, IReadOnlySet<string>? events = null) => new(WallClock.Moscow, from, to, events);

    [Fact]
    public void Api_side_counts_live_tickets_and_revenue_by_the_loaders_rules_and_cancelled_orders_as_zero()
    {
        var api = Totals(Nov18, Nov19);
        api.Add(Paid(1, "2026-11-18T10:00:00+03:00", Concert, 1000, 500), Concert);
        var partly = Paid(2, "2026-11-18T11:00:00+03:00", Concert, 1000, 800);
        partly.Baskets[1].RefundedAt = DateTimeOffset.Parse("2026-11-19T09:00:00+03:00", System.Globalization.CultureInfo.InvariantCulture);
        partly.Baskets[1].RefundedAmount = 800;
        api.Add(partly, Concert);
        var halfRefund = Paid(3, "2026-11-18T12:00:00+03:00", Concert, 1000);
        halfRefund.Baskets[0].RefundedAt = partly.Baskets[1].RefundedAt;
        halfRefund.Baskets[0].RefundedAmount = 500;
        api.Add(halfRefund, Concert);
        var cancelled = Paid(4, "2026-11-18T13:00:00+03:00", Concert, 2000);
        cancelled.DeletedAt = partly.Baskets[1].RefundedAt;
        api.Add(cancelled, Concert);
        api.Add(Paid(1, "2026-11-18T10:00:00+03:00", Concert, 1000, 500), Concert); // the same id again: once

        var day = Assert.Single(api.Totals());
        Assert.Equal(Nov18, day.Day);
        Assert.Equal("31000", day.EventId);
        Assert.Equal(3, day.PaidOrders); // 1, 2 and 3 keep a live ticket; the cancelled 4 does not
        Assert.Equal(4, day.Tickets);    // 2 + 1 + 1 (a half refund keeps the ticket)
        Assert.Equal(1500m + 1000m + 500m, day.Revenue);
        Assert.Equal(4, api.Orders);
        Assert.Equal(0, api.Rejected);
    }

    [Fact]
    public void Api_side_days_are_moscow_days_of_payment_and_range_event_filter_and_rejections_apply()
    {
        var api = Totals(Nov18, Nov18, new HashSet<string> { "31000" });
        api.Add(Paid(1, "2026-11-17T20:59:59Z", Concert, 100), Concert);  // 23:59:59 Moscow on the 17th: outside
        api.Add(Paid(2, "2026-11-17T21:00:00Z", Concert, 200), Concert);  // 00:00 Moscow on the 18th: inside
        api.Add(Paid(3, "2026-11-18T20:59:59Z", Concert, 400), Concert);  // 23:59:59 on the 18th: inside
        api.Add(Paid(4, "2026-11-18T21:00:00Z", Concert, 800), Concert);  // the 19th: outside
        api.Add(Paid(5, "2026-11-18T12:00:00+03:00", Play, 1600), Play);  // another event: filtered out
        api.Add(Paid(6, "2026-11-18T12:00:00+03:00", Concert, 3200), null); // unknown event: the loader rejects it
        api.Add(new Order { Id = 7, Payed = false, EventId = Concert.Id }, Concert); // never paid: no row, no rejection

        var day = Assert.Single(api.Totals());
        Assert.Equal((Nov18, 2L, 2L, 600m), (day.Day, day.PaidOrders, day.Tickets, day.Revenue));
        Assert.Equal(1, api.Rejected);
        Assert.Equal(new DateTimeOffset(2026, 11, 17, 21, 0, 0, TimeSpan.Zero), WallClock.Moscow.StartOf(Nov18));
    }

    [Fact]
    public void Rows_join_the_three_sides_and_flag_each_difference_in_kopecks()
    {
        var api = new[]
        {
            new DailyTotals(Nov18, "31000", 3, 4, 3000m),
            new DailyTotals(Nov18, "31001", 1, 1, 100m),
            new DailyTotals(Nov19, "31000", 2, 2, 200.10m),
        };
        var staging = new[]
        {
            new DailyTotals(Nov18, "31000", 3, 4, 3000m, 10),
            new DailyTotals(Nov18, "31001", 0, 0, 0m, 10),          // the order's row was deleted
            new DailyTotals(Nov19, "31000", 2, 2, 200.10m, 10),
            new DailyTotals(Nov19, "31999", 1, 1, 50m, 10),         // staged, but the API has no such sale
        };
        var facts = new[]
        {
            new DailyTotals(Nov18, "31000", 0, 3, 2000m, 10),       // two cities of one event: summed
            new DailyTotals(Nov18, "31000", 0, 1, 1000m, 10),
            new DailyTotals(Nov18, "31001", 0, 1, 100m, 10),
            new DailyTotals(Nov19, "31000", 0, 2, 200.104m, 10),    // Float64 noise below a kopeck: equal
            new DailyTotals(Nov19, "31999", 0, 1, 50m, 10),
        };

        var rows = ReconcileComparer.Compare(api, staging, facts);

        Assert.Equal(new[] { "31000", "31001", "31000", "31999" }, rows.Select(r => r.event_id));
        Assert.False(rows[0].differs);
        Assert.True(rows[1].staging_differs);
        Assert.False(rows[1].facts_differs);
        Assert.Equal((-1L, -1L, -100m), (rows[1].staging_orders_diff, rows[1].staging_tickets_diff, rows[1].staging_revenue_diff));
        Assert.False(rows[2].differs);
        Assert.Equal(200.10m, rows[2].facts_revenue);
        Assert.True(rows[3].staging_differs && rows[3].facts_differs);
        Assert.Equal(0, rows[3].api_orders);
        Assert.Equal(new[] { Nov18, Nov19 }, ReconcileComparer.DifferingDays(rows));
    }

    [Fact]
    public void A_fact_revenue_off_by_one_kopeck_differs()
    {
        var rows = ReconcileComparer.Compare(
            new[] { new DailyTotals(Nov18, "1", 1, 1, 100m) },
            new[] { new DailyTotals(Nov18, "1", 1, 1, 100m) },
            new[] { new DailyTotals(Nov18, "1", 0, 1, 100.01m) });
        Assert.True(Assert.Single(rows).facts_differs);
        Assert.Equal(0.01m, rows[0].facts_revenue_diff);
    }

    [Fact]
    public void Verdict_clean_drift_repaired_and_error_with_exit_codes_and_job_run_json()
    {
        var row = new ReconcileRow { sales_date = Nov18, event_id = "1", api_orders = 1, api_tickets = 2, api_revenue = 10m, staging_orders = 1, staging_tickets = 2, staging_revenue = 10m, facts_tickets = 2, facts_revenue = 9m };
        var drift = new ReconcileSummary { From = Nov18, To = Nov19, Rows = new[] { row }, RowsBefore = new[] { row } };
        drift.DifferingDays = ReconcileComparer.DifferingDays(drift.Rows);
        drift.Decide();
        Assert.Equal((ReconcileStatus.Drift, LoadExitCode.Drift), (drift.Status, drift.ExitCode));
        Assert.Equal(7, (int)drift.ExitCode);
        Assert.Equal(2, drift.DaysCompared);
        Assert.Contains("1 of 2 days 2026-11-18..2026-11-19 differ: 2026-11-18", drift.HumanLine);
        using (var metrics = JsonDocument.Parse(drift.JobRunMetrics()))
        {
            var d = Assert.Single(metrics.RootElement.GetProperty("drift").EnumerateArray().ToList());
            Assert.Equal("2026-11-18", d.GetProperty("sales_date").GetString());
            Assert.Equal(9m, d.GetProperty("facts_revenue").GetDecimal());
        }
        using (var message = JsonDocument.Parse(drift.JobRunMessage()))
            Assert.Equal("error", message.RootElement.GetProperty("status").GetString());

        var clean = new ReconcileSummary { From = Nov18, To = Nov18 };
        clean.Decide();
        Assert.Equal((ReconcileStatus.Clean, LoadExitCode.Ok), (clean.Status, clean.ExitCode));

        var repaired = new ReconcileSummary { From = Nov18, To = Nov18, RepairedDays = new[] { Nov18 }, RowsBefore = new[] { row } };
        repaired.Decide();
        Assert.Equal((ReconcileStatus.Repaired, LoadExitCode.Ok), (repaired.Status, repaired.ExitCode));
        using (var json = JsonDocument.Parse(repaired.ToJson()))
        {
            Assert.Equal("2026-11-18", json.RootElement.GetProperty("repaired_days")[0].GetString());
            Assert.Equal(0, json.RootElement.GetProperty("days_differing").GetInt32());
        }

        var failed = new ReconcileSummary { Status = ReconcileStatus.Error, ExitCode = LoadExitCode.ApiUnavailable, ErrorKind = "ApiUnavailable", Message = "503" };
        failed.Decide();
        Assert.Equal((ReconcileStatus.Error, LoadExitCode.ApiUnavailable), (failed.Status, failed.ExitCode));
        Assert.Contains("exit 5", failed.HumanLine);
    }
}
