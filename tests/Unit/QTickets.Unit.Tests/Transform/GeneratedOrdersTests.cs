using System.Buffers;
using System.Globalization;
using System.Text.Json;
using QTickets.Core.Model;
using QTickets.Core.Transform;

namespace QTickets.Unit.Tests.Transform;

/// <summary>
/// Thousands of generated orders in the API's own JSON shape (paid, partly and fully refunded, cancelled
/// tickets, cancelled orders in both forms the API may show, reservations), through the parser and the
/// converter, against sums computed here from the generated facts. Seeded: a failure names its seed.
/// </summary>
public class GeneratedOrdersTests
{
    const long EventId = 29553;
    static readonly Event TheEvent = new() { Id = EventId, Name = "Щелкунчик NEW (Томск)", City = " Томск " };

    /// <summary>What the generator decided about one basket, the oracle's only input.</summary>
    sealed record BasketFacts(long Id, decimal Price, int Quantity, bool Deleted, decimal? Refunded);

    /// <summary>What the generator decided about one order.</summary>
    sealed record OrderFacts(long Id, bool Payed, bool HasPayedAt, bool Deleted, DateTimeOffset PayedAt, List<BasketFacts> Baskets)
    {
        public bool Sold => Payed && HasPayedAt && !Deleted;

        static bool Live(BasketFacts b, bool sold) => sold && !b.Deleted && !(b.Refunded is { } r && r >= b.Price);

        // The definition, written out: a ticket counts when its order is paid and not cancelled and the ticket
        // is neither cancelled nor refunded in full; it earns its price less any partial refund.
        public decimal Revenue => Baskets.Where(b => Live(b, Sold)).Sum(b => b.Price - (b.Refunded ?? 0m));
        public long Tickets => Baskets.Where(b => Live(b, Sold)).Sum(b => (long)b.Quantity);
    }

    static OrderFacts Generate(Random random, long id)
    {
        var kind = random.Next(100);
        // 0–59 paid, 60–69 paid then cancelled (payed stays true), 70–74 paid then cancelled with payed cleared
        // but payed_at kept, 75–87 unpaid reservation, 88–99 unpaid and expired (cancelled, never paid).
        var payed = kind < 70;
        var hasPayedAt = kind < 75;
        var deleted = kind is >= 60 and < 75 or >= 88;
        var payedAt = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.FromHours(3)).AddSeconds(random.Next(0, 300 * 86_400));
        var baskets = new List<BasketFacts>();
        var count = random.Next(0, 6) == 0 ? 0 : random.Next(1, 9);
        for (var i = 0; i < count; i++)
        {
            var price = random.Next(5) == 0 ? 0m : random.Next(1, 500_000) / 100m; // invitations cost 0
            var ticketKind = random.Next(10);
            // 0 cancelled ticket, 1 refunded in full, 2 refunded in part, otherwise live.
            var basketDeleted = deleted && kind >= 88 || ticketKind == 0;
            decimal? refunded = ticketKind == 1 ? price : ticketKind == 2 ? Math.Round(price * random.Next(1, 100) / 100m, 2) : null;
            baskets.Add(new BasketFacts(id * 100 + i, price, random.Next(20) == 0 ? 2 : 1, basketDeleted, refunded));
        }
        return new OrderFacts(id, payed, hasPayedAt, deleted, payedAt, baskets);
    }

    /// <summary>The order as the API serves it, personal fields included (the scrubber must drop them).</summary>
    static string Json(OrderFacts o, decimal? priceOverride = null, DateTimeOffset? updatedAt = null)
    {
        static string T(DateTimeOffset t) => t.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("id", o.Id);
            w.WriteString("uniqid", "u" + o.Id);
            w.WriteBoolean("payed", o.Payed);
            if (o.HasPayedAt) w.WriteString("payed_at", T(o.PayedAt)); else w.WriteNull("payed_at");
            w.WriteStartObject("client");
            w.WriteString("email", $"buyer{o.Id}@example.test");
            w.WriteEndObject();
            w.WriteString("payment_card_number", "000000******0000");
            w.WriteNumber("event_id", EventId);
            w.WriteNumber("price", priceOverride ?? o.Baskets.Sum(b => b.Price));
            w.WriteString("currency_id", "RUB");
            w.WriteStartArray("utm");
            w.WriteEndArray();
            w.WriteStartArray("baskets");
            foreach (var b in o.Baskets)
            {
                w.WriteStartObject();
                w.WriteNumber("id", b.Id);
                w.WriteNumber("show_id", 185052);
                w.WriteString("seat_id", "CENTER_PARTERRE-1;" + b.Id % 40);
                w.WriteNumber("price", b.Price);
                w.WriteNumber("quantity", b.Quantity);
                w.WriteString("client_email", $"holder{b.Id}@example.test");
                w.WriteString("created_at", T(o.PayedAt.AddMinutes(-3)));
                if (b.Deleted) w.WriteString("deleted_at", T(o.PayedAt.AddDays(1))); else w.WriteNull("deleted_at");
                if (b.Refunded is { } r)
                {
                    w.WriteString("refunded_at", T(o.PayedAt.AddDays(2)));
                    w.WriteNumber("refunded_amount", r);
                }
                else
                {
                    w.WriteNull("refunded_at");
                    w.WriteNumber("refunded_amount", 0); // what the API sends for tickets never refunded
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteString("created_at", T(o.PayedAt.AddMinutes(-3)));
            w.WriteString("updated_at", T(updatedAt ?? o.PayedAt));
            if (o.Deleted) w.WriteString("deleted_at", T(o.PayedAt.AddDays(3))); else w.WriteNull("deleted_at");
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(20251109)]
    [InlineData(777)]
    public void Revenue_and_tickets_of_rows_equal_the_live_baskets_of_paid_orders(int seed)
    {
        var random = new Random(seed);
        var converter = new SalesRowConverter(WallClock.Moscow, 1);
        decimal expectedRevenue = 0m, revenue = 0m;
        long expectedTickets = 0, tickets = 0;
        int expectedRows = 0, rows = 0, zeroRows = 0;
        for (var i = 1; i <= 1_000; i++)
        {
            var facts = Generate(random, seed * 10_000L + i);
            var order = Assert.Single(OrderJsonReader.Read(Json(facts), includePersonalData: false));
            var row = converter.ToSalesRow(order, TheEvent, out var rejection);
            Assert.True(rejection is null, $"seed {seed} order {facts.Id}: {rejection}");

            if (facts.HasPayedAt)
            {
                expectedRows++;
                expectedRevenue += facts.Revenue;
                expectedTickets += facts.Tickets;
            }
            if (row is null)
            {
                Assert.False(facts.HasPayedAt, $"seed {seed} order {facts.Id}: an order with a payment time lost its row");
                continue;
            }
            rows++;
            revenue += row.revenue;
            tickets += row.tickets_sold;
            Assert.Equal(facts.Revenue, row.revenue);
            Assert.Equal(facts.Tickets, row.tickets_sold);
            Assert.Equal("Томск", row.city);
            Assert.DoesNotContain("example.test", row.payload_json.ToString());
            if (row.revenue == 0 && row.tickets_sold == 0) zeroRows++;
        }
        Assert.Equal(expectedRows, rows);
        Assert.Equal(expectedRevenue, revenue);
        Assert.Equal(expectedTickets, tickets);
        Assert.True(zeroRows > 50, $"seed {seed}: only {zeroRows} zero rows generated; the generator no longer covers cancellations");
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void Per_ticket_rows_add_up_to_the_sales_rows(int seed)
    {
        var random = new Random(seed);
        var converter = new SalesRowConverter(WallClock.Moscow, 1);
        for (var i = 1; i <= 1_000; i++)
        {
            var facts = Generate(random, seed * 10_000L + i);
            var order = OrderJsonReader.Read(Json(facts), includePersonalData: false)[0];
            var ticketRows = converter.ToTicketRows(order, TheEvent, out var rejection)!;
            Assert.Null(rejection);
            Assert.Equal(facts.Baskets.Count, ticketRows.Count);
            var paid = ticketRows.Where(t => t.status == "paid").ToList();
            Assert.Equal(facts.Tickets, paid.Sum(t => 0L + facts.Baskets.Single(b => b.Id.ToString(CultureInfo.InvariantCulture) == t.basket_id).Quantity));
            Assert.Equal(facts.Revenue, paid.Sum(t => t.price - t.refunded_amount));
            Assert.All(ticketRows, t => Assert.Contains(t.status, new[] { "paid", "refunded", "cancelled", "reserved" }));
            Assert.All(ticketRows, t => Assert.Equal("", t.holder_email));
        }
    }

    /// <summary>
    /// An order's row is replaced, not added to, whatever changes about it: refunds, cancellation, a new price, a
    /// new updated_at. Different orders never share a key.
    /// </summary>
    [Fact]
    public void The_dedup_key_names_the_order_alone()
    {
        var random = new Random(5);
        var converter = new SalesRowConverter(WallClock.Moscow, 1);
        var keys = new HashSet<string>();
        for (var i = 1; i <= 2_000; i++)
        {
            var paid = Generate(random, i) with { Payed = true, HasPayedAt = true, Deleted = false };
            var first = converter.ToSalesRow(OrderJsonReader.Read(Json(paid), false)[0], TheEvent, out _)!;
            var changed = paid with
            {
                Deleted = random.Next(2) == 0,
                Baskets = paid.Baskets.Select(b => b with { Refunded = b.Price, Deleted = random.Next(2) == 0 }).ToList(),
            };
            var later = new SalesRowConverter(WallClock.Moscow, 2)
                .ToSalesRow(OrderJsonReader.Read(Json(changed, priceOverride: 1m, updatedAt: paid.PayedAt.AddDays(30)), false)[0], TheEvent, out _)!;
            Assert.Equal(first._dedup_key, later._dedup_key);
            Assert.Equal((0m, 0u), (later.revenue, later.tickets_sold));
            Assert.True(later._ver > first._ver);
            Assert.True(keys.Add(first._dedup_key), $"order {i} shares its key with another order");
        }
    }
}
