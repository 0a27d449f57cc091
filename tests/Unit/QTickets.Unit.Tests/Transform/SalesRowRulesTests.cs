using System.Text.Json;
using QTickets.Core.Json;
using QTickets.Core.Model;
using QTickets.Core.Transform;

namespace QTickets.Unit.Tests.Transform;

/// <summary>The converter's rules one by one, on hand-made orders.</summary>
public class SalesRowRulesTests
{
    static readonly Event Tomsk = new() { Id = 29553, Name = "Щелкунчик NEW (Томск)", City = "Томск" };
    static readonly DateTimeOffset PaidAt = new(2025, 11, 9, 12, 30, 15, TimeSpan.FromHours(3));
    readonly SalesRowConverter _converter = new(WallClock.Moscow, 42);

    static Order Paid(params Basket[] baskets) => new()
    {
        Id = 4360, EventId = Tomsk.Id, Payed = true, PayedAt = PaidAt, CurrencyId = "RUB", Baskets = baskets,
        Utm = new UtmTags("vk", "posty", "anons2", "", ""), PayloadJson = """{"id":4360}""",
    };

    static Basket Ticket(decimal price, DateTimeOffset? deleted = null, decimal? refunded = null) => new()
    {
        Id = 1, ShowId = 185052, Price = price, DeletedAt = deleted,
        RefundedAt = refunded is null ? null : PaidAt.AddDays(1), RefundedAmount = refunded,
    };

    [Fact]
    public void A_paid_order_becomes_one_row_in_the_legacy_columns()
    {
        var row = _converter.ToSalesRow(Paid(Ticket(800m), Ticket(450.50m)), Tomsk, out var rejection)!;
        Assert.Null(rejection);
        Assert.Equal(("4360", "29553", "Томск", 2u, 1250.50m, "RUB"), (row.order_id, row.event_id, row.city, row.tickets_sold, row.revenue, row.currency));
        Assert.Equal(("vk", "posty", "anons2", "", ""), (row.utm_source, row.utm_medium, row.utm_campaign, row.utm_content, row.utm_term));
        Assert.Equal(new DateTime(2025, 11, 9, 12, 30, 15), row.sale_ts);
        Assert.Equal(PaidAt, row.SaleUtc);
        Assert.Equal((42ul, """{"id":4360}"""), (row._ver, row.payload_json.ToString()));
    }

    [Fact]
    public void The_columns_are_the_staging_table_in_its_order_then_the_utc_instant()
    {
        Assert.Equal(
            new[] { "order_id", "event_id", "city", "utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term", "sale_ts",
                    "tickets_sold", "revenue", "currency", "payload_json", "_ver", "_dedup_key", "SaleUtc" },
            typeof(SalesRow).GetProperties().Select(p => p.Name));
        Assert.Equal(
            new[] { "order_id", "basket_id", "event_id", "show_id", "city", "seat_id", "seat_name", "price", "refunded_amount", "status",
                    "sale_ts", "holder_name", "holder_email", "holder_phone" },
            typeof(TicketRow).GetProperties().Select(p => p.Name));
        Assert.Equal(
            new[] { "snapshot_ts", "event_id", "event_name", "city", "tickets_total", "tickets_left", "_ver", "_dedup_key", "shows" },
            typeof(InventoryRow).GetProperties().Select(p => p.Name));
    }

    [Fact]
    public void Partial_refunds_lower_revenue_and_full_refunds_and_cancellations_drop_the_ticket()
    {
        var row = _converter.ToSalesRow(Paid(Ticket(800m, refunded: 300m), Ticket(500m, refunded: 500m), Ticket(700m, deleted: PaidAt), Ticket(0m)), Tomsk, out _)!;
        Assert.Equal((2u, 500m), (row.tickets_sold, row.revenue)); // the partly refunded ticket and the invitation
        var tickets = _converter.ToTicketRows(Paid(Ticket(800m, refunded: 300m), Ticket(500m, refunded: 500m), Ticket(700m, deleted: PaidAt)), Tomsk, out _)!;
        Assert.Equal(new[] { "paid", "refunded", "cancelled" }, tickets.Select(t => t.status));
        Assert.Equal(new[] { 300m, 500m, 0m }, tickets.Select(t => t.refunded_amount));
    }

    [Fact]
    public void An_order_paid_then_cancelled_keeps_a_row_with_zeros_in_both_forms()
    {
        var cancelled = Paid(Ticket(800m, deleted: PaidAt.AddDays(1)));
        cancelled.DeletedAt = PaidAt.AddDays(1);
        var unpaidButWasPaid = Paid(Ticket(800m));
        unpaidButWasPaid.Payed = false;
        unpaidButWasPaid.DeletedAt = PaidAt.AddDays(1);
        foreach (var order in new[] { cancelled, unpaidButWasPaid })
        {
            var row = _converter.ToSalesRow(order, Tomsk, out var rejection);
            Assert.Null(rejection);
            Assert.NotNull(row);
            Assert.Equal((0u, 0m, DedupKey.ForOrder(4360)), (row.tickets_sold, row.revenue, row._dedup_key));
        }
    }

    [Fact]
    public void An_order_never_paid_yields_nothing_and_is_no_error()
    {
        var reserved = Paid(Ticket(800m));
        reserved.Payed = false;
        reserved.PayedAt = null;
        Assert.Null(_converter.ToSalesRow(reserved, Tomsk, out var rejection));
        Assert.Null(rejection);
        Assert.Equal("reserved", _converter.ToTicketRows(reserved, Tomsk, out _)![0].status);
        Assert.Null(_converter.ToTicketRows(reserved, Tomsk, out _)![0].sale_ts);
    }

    [Fact]
    public void Bad_orders_are_rejected_with_a_reason()
    {
        var noId = Paid(Ticket(1m));
        noId.Id = 0;
        var unreadable = Paid(Ticket(1m));
        unreadable.Problems = new[] { "payed_at '2025-11-09 12:00' is not an ISO-8601 timestamp with an offset" };
        var paidWithoutTime = Paid(Ticket(1m));
        paidWithoutTime.PayedAt = null;
        var otherEvent = Paid(Ticket(1m));
        otherEvent.EventId = 1;

        Assert.Contains("no id", Reject(noId, Tomsk));
        Assert.Contains("is not an ISO-8601 timestamp", Reject(unreadable, Tomsk));
        Assert.Contains("no payment time", Reject(paidWithoutTime, Tomsk));
        Assert.Contains("event 29553 is unknown", Reject(Paid(Ticket(1m)), null));
        Assert.Contains("event 1 is unknown", Reject(otherEvent, Tomsk));
        foreach (var order in new[] { noId, unreadable, paidWithoutTime })
        {
            Assert.Null(_converter.ToTicketRows(order, Tomsk, out var rejection));
            Assert.NotNull(rejection);
        }
    }

    string Reject(Order order, Event? ev)
    {
        Assert.Null(_converter.ToSalesRow(order, ev, out var rejection));
        return Assert.IsType<string>(rejection);
    }

    [Fact]
    public void Sale_time_is_wall_clock_of_the_zone_asked_for()
    {
        var krasnoyarsk = new SalesRowConverter(WallClock.For("Asia/Krasnoyarsk"), 1).ToSalesRow(Paid(Ticket(1m)), Tomsk, out _)!;
        Assert.Equal(new DateTime(2025, 11, 9, 16, 30, 15), krasnoyarsk.sale_ts);
        var fromUtcText = Paid(Ticket(1m));
        fromUtcText.PayedAt = new DateTimeOffset(2025, 11, 9, 21, 30, 0, TimeSpan.Zero);
        Assert.Equal(new DateTime(2025, 11, 10, 0, 30, 0), _converter.ToSalesRow(fromUtcText, Tomsk, out _)!.sale_ts);
    }

    [Fact]
    public void City_is_one_spelling_the_name_as_served_trimmed()
    {
        Assert.Equal("Томск", CityName.Of(new Event { City = "  Томск\t" }));
        Assert.Equal("", CityName.Of(null));
        Assert.Equal("Томск", _converter.ToSalesRow(Paid(Ticket(1m)), new Event { Id = Tomsk.Id, City = " Томск " }, out _)!.city);
    }

    [Fact]
    public void Dedup_key_recipes_are_md5_of_documented_texts()
    {
        Assert.Equal("b74084f67608d5d35079175712568095", DedupKey.ForOrder(4360)); // md5("4360")
        Assert.Equal("363b5a4ad0643de99304146551be6253", DedupKey.ForInventory(24089, new DateTime(2025, 11, 9, 12, 0, 0, 999))); // md5("24089::2025-11-09 12:00:00")
    }

    [Theory]
    [InlineData("""{"data":[{"id":1,"baskets":[]},{"id":2,"baskets":[]}],"paging":{"perPage":50}}""", 2)]
    [InlineData("""{"data":{"id":1,"baskets":[]}}""", 1)]
    [InlineData("""{"id":1,"baskets":[]}""", 1)]
    [InlineData("""[{"id":1},{"id":2},{"id":3}]""", 3)]
    [InlineData("""{"data":[]}""", 0)]
    public void Raw_json_in_every_shape_the_api_serves_reads_as_orders(string json, int count)
    {
        Assert.Equal(count, OrderJsonReader.Read(json, false).Count);
    }

    [Theory]
    [InlineData("""{"error":"Resource \"Order\" not found","status":404,"code":"RESOURCE_NOT_FOUND"}""")]
    [InlineData("""<html>404</html>""")]
    [InlineData("""[1,2]""")]
    [InlineData("""  "id": 1614202,""")]
    public void Anything_else_is_refused(string json)
    {
        Assert.ThrowsAny<JsonException>(() => OrderJsonReader.Read(json, false));
    }
}
