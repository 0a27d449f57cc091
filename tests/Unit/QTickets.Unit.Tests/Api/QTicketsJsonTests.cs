using System.Text.Json;
using System.Text.RegularExpressions;
using QTickets.Core.Json;
using QTickets.Core.Model;
using QTickets.Tests.Shared;

namespace QTickets.Unit.Tests.Api;

public class QTicketsJsonTests
{
    static JsonElement Page(string fixture) => JsonDocument.Parse(Fixtures.Bytes(fixture)).RootElement;

    static List<Order> Orders(bool personal) =>
        Page("orders_page1.json").GetProperty("data").EnumerateArray().Select(o => QTicketsJson.ParseOrder(o, personal)).ToList();

    [Fact]
    public void The_genuine_orders_page_parses_field_for_field()
    {
        var page = Page("orders_page1.json").GetProperty("data");
        var orders = Orders(personal: false);
        Assert.Equal(50, orders.Count);
        Assert.Equal(40, orders.Count(o => o.Payed));
        Assert.All(orders, o => Assert.Empty(o.Problems));

        // Compare every order with an independent read of the same JSON.
        foreach (var (json, order) in page.EnumerateArray().Zip(orders))
        {
            Assert.Equal(json.GetProperty("id").GetInt64(), order.Id);
            Assert.Equal(json.GetProperty("event_id").GetInt64(), order.EventId);
            Assert.Equal(json.GetProperty("price").GetDecimal(), order.Price);
            Assert.Equal(json.GetProperty("currency_id").GetString(), order.CurrencyId);
            Assert.Equal(json.GetProperty("payed").GetBoolean(), order.Payed);
            var payedAt = json.GetProperty("payed_at");
            Assert.Equal(payedAt.ValueKind == JsonValueKind.Null ? null : DateTimeOffset.Parse(payedAt.GetString()!), order.PayedAt);
            Assert.Equal(DateTimeOffset.Parse(json.GetProperty("updated_at").GetString()!), order.UpdatedAt);
            var baskets = json.GetProperty("baskets").EnumerateArray().ToList();
            Assert.Equal(baskets.Count, order.Baskets.Count);
            Assert.Equal(baskets.Sum(b => b.GetProperty("price").GetDecimal()), order.Baskets.Sum(b => b.Price));
            Assert.Equal(baskets.Count(b => b.GetProperty("deleted_at").ValueKind != JsonValueKind.Null), order.Baskets.Count(b => b.DeletedAt is not null));
            Assert.All(order.Baskets, b => Assert.Equal(order.Id, b.OrderId));
        }
    }

    [Fact]
    public void Unpaid_orders_of_the_fixture_are_cancelled_and_paid_ones_are_paid()
    {
        var orders = Orders(personal: false);
        Assert.All(orders.Where(o => !o.Payed), o => Assert.Null(o.PayedAt));
        Assert.Equal(40, orders.Count(o => o.Status == OrderStatus.Paid));
    }

    [Fact]
    public void Utm_is_empty_for_php_empty_arrays_and_read_from_objects()
    {
        var withUtm = JsonDocument.Parse("""{"id":1,"utm":{"utm_source":"yandex","utm_medium":"cpc","utm_campaign":"autumn"},"baskets":[]}""").RootElement;
        var without = JsonDocument.Parse("""{"id":2,"utm":[],"baskets":[]}""").RootElement;
        Assert.Equal(new UtmTags("yandex", "cpc", "autumn", "", ""), QTicketsJson.ParseOrder(withUtm, false).Utm);
        Assert.Equal(UtmTags.Empty, QTicketsJson.ParseOrder(without, false).Utm);
    }

    [Fact]
    public void Money_ids_and_flags_are_read_from_integers_decimals_and_strings()
    {
        var e = JsonDocument.Parse("""{"id":"77","payed":1,"price":490.5,"original_price":"500","event_id":5,"baskets":[{"id":1,"price":490.5,"quantity":"1"}]}""").RootElement;
        var o = QTicketsJson.ParseOrder(e, false);
        Assert.Equal(77, o.Id);
        Assert.True(o.Payed);
        Assert.Equal(490.5m, o.Price);
        Assert.Equal(500m, o.OriginalPrice);
        Assert.Equal(490.5m, o.Baskets[0].Price);
    }

    [Fact]
    public void Unparsable_or_offsetless_timestamps_and_missing_ids_become_problems_not_exceptions()
    {
        var e = JsonDocument.Parse("""{"payed":true,"payed_at":"18.05.2021","updated_at":"2021-05-18T12:00:00","baskets":[]}""").RootElement;
        var o = QTicketsJson.ParseOrder(e, false);
        Assert.Null(o.PayedAt);
        Assert.Contains(o.Problems, p => p.Contains("payed_at '18.05.2021'"));
        Assert.Contains(o.Problems, p => p.Contains("updated_at"));
        Assert.Contains(o.Problems, p => p.Contains("no id"));
    }

    [Fact]
    public void Personal_data_is_absent_unless_asked_for_and_never_in_the_payload()
    {
        var raw = File.ReadAllText(Fixtures.PathOf("orders_page1.json"));
        var emails = Regex.Matches(raw, @"buyer\d+@example\.test").Select(m => m.Value).Distinct().ToList();
        var phones = Regex.Matches(raw, @"\+7000000\d{4}").Select(m => m.Value).Distinct().ToList();
        Assert.NotEmpty(emails);
        Assert.NotEmpty(phones);

        foreach (var personal in new[] { false, true })
            foreach (var o in Orders(personal))
            {
                Assert.DoesNotContain("@example.test", o.PayloadJson.ToString());
                Assert.DoesNotContain("+7000000", o.PayloadJson.ToString());
                Assert.DoesNotMatch(@"Name\d|Surname\d|Middle\d", o.PayloadJson.ToString());
                Assert.DoesNotContain("payment_url", o.PayloadJson.ToString());
                Assert.DoesNotContain("pdf_url", o.PayloadJson.ToString());
                Assert.Contains($"\"id\":{o.Id}", o.PayloadJson.ToString());
                Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(o.PayloadJson.ToString()).RootElement.ValueKind);
            }

        var plain = Orders(false);
        Assert.All(plain, o => Assert.True(o.ClientEmail is null && o.ClientPhone is null && o.ClientName is null && o.PaymentCardNumber is null));
        Assert.All(plain.SelectMany(o => o.Baskets), b => Assert.True(b.HolderEmail is null && b.HolderPhone is null && b.HolderName is null));

        var withPersonal = Orders(true);
        Assert.Contains(withPersonal, o => o.ClientEmail is not null && o.ClientEmail.EndsWith("@example.test"));
        Assert.Contains(withPersonal.SelectMany(o => o.Baskets), b => b.HolderPhone is not null && b.HolderPhone.StartsWith("+7000000"));
    }

    [Fact]
    public void Events_carry_city_name_time_zone_and_shows()
    {
        var events = Page("events_page1.json").GetProperty("data").EnumerateArray().Select(QTicketsJson.ParseEvent).ToList();
        Assert.Equal(10, events.Count);
        Assert.All(events, e => Assert.False(string.IsNullOrEmpty(e.City)));
        Assert.Contains(events, e => e.City == "Томск" && e.CityTimeZone == "Asia/Krasnoyarsk");
        Assert.All(events, e => Assert.All(e.Shows, s => Assert.Equal(e.Id, s.EventId)));
        Assert.Contains(events, e => e.Shows.Count > 1);
    }

    [Theory]
    [InlineData("2025-11-03T10:15:00+03:00")]
    [InlineData("2024-02-29T23:59:59+07:00")]
    [InlineData("2025-01-01T00:00:00-05:30")]
    [InlineData("1999-12-31T12:00:00+00:00")]
    public void The_served_timestamp_form_reads_as_the_general_parser_reads_it(string text)
    {
        var raw = System.Text.Encoding.UTF8.GetBytes(text);
        Assert.True(QTicketsJson.TryServedForm(raw, out var fast));
        var general = DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(general, fast);
        Assert.Equal(general.Offset, fast.Offset);
    }

    [Theory]
    [InlineData("2025-02-29T10:15:00+03:00")] // no such day: the general path reports it
    [InlineData("2025-11-03T24:00:00+03:00")]
    [InlineData("2025-11-03T10:15:00Z")]
    [InlineData("2025-11-03T10:15:00.5+03:00")]
    [InlineData("2025-11-03 10:15:00+03:00")]
    [InlineData("2025-11-03T10:15:00")]
    [InlineData("2025-1a-03T10:15:00+03:00")]
    public void Other_forms_take_the_general_path(string text)
    {
        Assert.False(QTicketsJson.TryServedForm(System.Text.Encoding.UTF8.GetBytes(text), out _));
    }

    [Fact]
    public void A_timestamp_without_an_offset_is_still_refused_and_reported()
    {
        using var doc = JsonDocument.Parse("""{"id": 5, "payed": 1, "payed_at": "2025-11-03T10:15:00", "created_at": "2025-02-30T10:15:00+03:00", "baskets": []}""");
        var order = QTicketsJson.ParseOrder(doc.RootElement, includePersonalData: false);
        Assert.Null(order.PayedAt);
        Assert.Contains(order.Problems, p => p.Contains("payed_at", StringComparison.Ordinal));
        Assert.Contains(order.Problems, p => p.Contains("created_at", StringComparison.Ordinal));
    }
}
