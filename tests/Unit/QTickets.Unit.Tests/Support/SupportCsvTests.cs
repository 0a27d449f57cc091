using System.Globalization;
using System.Text;
using QTickets.Core.Model;
using QTickets.Core.Support;
using QTickets.Core.Transform;

namespace QTickets.Unit.Tests.Support;

public class SupportCsvTests
{
    static readonly DateTimeOffset Paid = new(2026, 11, 20, 9, 30, 0, TimeSpan.Zero); // 12:30 in Moscow
    static readonly CultureInfo Russian = CultureInfo.GetCultureInfo("ru-RU");

    static Event Event(string name = "Концерт «Томск»", string city = "Томск") => new()
    {
        Id = 7, Name = name, City = city,
        Shows = new[] { new Show { Id = 70, EventId = 7, StartDate = new DateTimeOffset(2026, 12, 24, 19, 0, 0, TimeSpan.FromHours(7)) } },
    };

    static Order Order(long id = 1704149, bool payed = true, string? buyerName = "Иван Петров", string? buyerEmail = "buyer845@example.test",
        string? buyerPhone = "+79990000845", string holderEmail = "buyer1156@example.test", string seat = "Партер: ряд 1, место 2",
        DateTimeOffset? refunded = null, DateTimeOffset? deleted = null)
    {
        var o = new Order
        {
            Id = id, Payed = payed, PayedAt = payed ? Paid : null, EventId = 7, Price = 2500.5m, CurrencyId = "RUB", PromoCodeId = 99,
            ClientName = buyerName, ClientEmail = buyerEmail, ClientPhone = buyerPhone, DeletedAt = deleted,
        };
        o.Baskets = new[]
        {
            new Basket { Id = 11, OrderId = id, ShowId = 70, SeatName = seat, Price = 1250.25m, HolderName = "Пётр Сидоров", HolderEmail = holderEmail, HolderPhone = "+79990001156", RefundedAt = refunded, RefundedAmount = refunded is null ? null : 1250.25m },
            new Basket { Id = 12, OrderId = id, ShowId = 70, SeatName = "Партер: ряд 1, место 3", Price = 1250.25m, HolderEmail = holderEmail },
        };
        return o;
    }

    static string Csv(Action<SupportCsvWriter> write, bool personal, CultureInfo? culture = null, string? delimiter = null)
    {
        using var stream = new MemoryStream();
        using (var w = new SupportCsvWriter(stream, culture ?? CultureInfo.InvariantCulture, personal, delimiter)) write(w);
        var bytes = stream.ToArray();
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        return Encoding.UTF8.GetString(bytes[3..]);
    }

    [Fact]
    public void An_order_row_is_readable_without_personal_data_and_has_no_contact_columns()
    {
        var builder = new SupportRowBuilder(WallClock.Moscow, includePersonalData: false);
        var row = builder.ToOrderRow(Order(), Event(), "SPRING25");
        Assert.Null(row.BuyerEmail);
        var text = Csv(w => w.Write(row), personal: false, Russian);
        var lines = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("OrderId;Status;PaidAt;Event;ShowStart;City;Tickets;Amount;Currency;PromoCode", lines[0]);
        Assert.Equal("1704149;paid;2026-11-20 12:30;Концерт «Томск»;2026-12-24 19:00;Томск;2;2500,5;RUB;SPRING25", lines[1]);
        Assert.DoesNotContain("@", text);
        Assert.DoesNotContain("Петров", text);
    }

    [Fact]
    public void Per_ticket_rows_carry_the_buyer_and_the_holder_so_the_buyers_email_appears()
    {
        var builder = new SupportRowBuilder(WallClock.Moscow, includePersonalData: true);
        var order = Order();
        Assert.True(SupportRowBuilder.Matches(order, " Buyer845@Example.test "));
        Assert.True(SupportRowBuilder.Matches(order, "buyer1156@example.test"));
        Assert.False(SupportRowBuilder.Matches(order, "someone@example.test"));
        var rows = builder.ToTicketRows(order, Event(), null).ToList();
        var text = Csv(w => rows.ForEach(w.Write), personal: true);
        var lines = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("OrderId,TicketId,Status,PaidAt,Event,ShowStart,City,Seat,Price,Currency,PromoCode,BuyerName,BuyerEmail,BuyerPhone,HolderName,HolderEmail,HolderPhone", lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.All(lines.Skip(1), l => Assert.Contains(",buyer845@example.test,", l));
        Assert.All(lines.Skip(1), l => Assert.Contains(",buyer1156@example.test,", l));
        // The seat name holds the delimiter: quoted, not split.
        Assert.Contains(",\"Партер: ряд 1, место 2\",", lines[1]);
    }

    [Theory]
    [InlineData("=HYPERLINK(\"http://evil.example\",\"click\")")]
    [InlineData("+cmd|' /C calc'!A0")]
    [InlineData("-2+3")]
    [InlineData("@SUM(1+1)")]
    [InlineData("\t=1+1")]
    public void Cells_a_spreadsheet_would_run_as_formulas_are_neutralised(string name)
    {
        var builder = new SupportRowBuilder(WallClock.Moscow, includePersonalData: true);
        var order = Order(buyerName: name, seat: name);
        var rows = builder.ToTicketRows(order, Event(name: name, city: name), name).ToList();
        var text = Csv(w => rows.ForEach(w.Write), personal: true, Russian);
        var cells = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries)[1];
        foreach (var cell in SplitCsv(cells, ';'))
            Assert.False(cell.Length > 0 && cell[0] is '=' or '+' or '-' or '@' or '\t', $"cell '{cell}' would run as a formula");
        Assert.Contains("'" + name.Replace("\"", "\"\"", StringComparison.Ordinal), cells);
        // The phone's '+' is neutralised too: Excel would read "+7999..." as a formula or a number.
        Assert.Contains("'+79990000845", cells);
        Assert.Equal("'=1", SpreadsheetText.Neutralise("=1"));
        Assert.Equal("Томск", SpreadsheetText.Neutralise("Томск"));
    }

    [Fact]
    public void States_are_words_from_the_one_rule_of_what_is_sold()
    {
        var builder = new SupportRowBuilder(WallClock.Moscow, includePersonalData: false);
        Assert.Equal("paid", builder.ToOrderRow(Order(), Event(), null).Status);
        Assert.Equal("reserved", builder.ToOrderRow(Order(payed: false), Event(), null).Status);
        Assert.Equal("", builder.ToOrderRow(Order(payed: false), Event(), null).PaidAt);
        Assert.Equal("cancelled", builder.ToOrderRow(Order(deleted: Paid), Event(), null).Status);
        Assert.Equal("partly refunded", builder.ToOrderRow(Order(refunded: Paid), Event(), null).Status);
        var tickets = builder.ToTicketRows(Order(refunded: Paid), Event(), null).ToList();
        Assert.Equal(new[] { "refunded", "paid" }, tickets.Select(t => t.Status));
        Assert.Equal(new[] { "reserved", "reserved" }, builder.ToTicketRows(Order(payed: false), Event(), null).Select(t => t.Status));
    }

    [Fact]
    public void A_delimiter_that_cannot_separate_columns_is_refused()
    {
        var ex = Assert.Throws<ArgumentException>(() => new SupportCsvWriter(new MemoryStream(), CultureInfo.InvariantCulture, false, "\""));
        Assert.Contains("cannot separate CSV columns", ex.Message);
    }

    static List<string> SplitCsv(string line, char delimiter)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else cell.Append(c);
            }
            else if (c == '"' && cell.Length == 0) quoted = true;
            else if (c == delimiter) { cells.Add(cell.ToString()); cell.Clear(); }
            else cell.Append(c);
        }
        cells.Add(cell.ToString());
        return cells;
    }
}
