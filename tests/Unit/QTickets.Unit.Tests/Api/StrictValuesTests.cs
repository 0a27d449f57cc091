using System.Text.Json;
using QTickets.Core.Json;
using QTickets.Core.Load;
using QTickets.Core.Model;
using QTickets.Tests.Shared;
using QTickets.Core.Transform;

namespace QTickets.Unit.Tests.Api;

/// <summary>
/// Every value a sales or ticket row depends on either reads as what PHP sends (integers, decimals, numeric strings,
/// null for none) or rejects the order with a problem naming the field and the value; none becomes 0.
/// </summary>
public class StrictValuesTests
{
    // A paid order with one ticket of 900 for event 31000, every field as the genuine capture serves it.
    const string Template = """
        {"id":5000001,"payed":true,"payed_at":"2025-11-05T12:10:05+03:00","client_id":700001,"event_id":31000,
         "price":900,"original_price":1000,"currency_id":"RUB","utm":[],"custom":"","fields":[],
         "baskets":[{"id":20000001,"show_id":200001,"seat_id":"PARTERRE-5;12","original_price":1000,"discount_value":100,
                     "price":900,"ticket_amount":900,"service_fee_amount":0,"quantity":1,"created_at":"2025-11-05T12:09:10+03:00",
                     "updated_at":"2025-11-05T12:10:05+03:00","deleted_at":null,"refunded_at":null,"refunded_amount":null}],
         "created_at":"2025-11-05T12:09:40+03:00","updated_at":"2025-11-05T12:10:05+03:00","deleted_at":null}
        """;

    static readonly Event Event31000 = new() { Id = 31000, Name = "Concert", City = "Томск" };

    /// <summary>The template with one field of the order (path "x") or of its basket (path "baskets.x") set to raw JSON.</summary>
    static Order With(string path, string? rawJson)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(Template)!.AsObject();
        var target = path.StartsWith("baskets.", StringComparison.Ordinal) ? node["baskets"]![0]!.AsObject() : node;
        var name = path.StartsWith("baskets.", StringComparison.Ordinal) ? path["baskets.".Length..] : path;
        if (rawJson is null) target.Remove(name);
        else target[name] = System.Text.Json.Nodes.JsonNode.Parse(rawJson);
        using var doc = JsonDocument.Parse(node.ToJsonString());
        return QTicketsJson.ParseOrder(doc.RootElement, includePersonalData: false);
    }

    static string Rejection(Order order)
    {
        var converter = new SalesRowConverter(WallClock.Moscow, 1);
        var row = converter.ToSalesRow(order, Event31000, out var rejection);
        Assert.Null(row);
        Assert.NotNull(rejection);
        return rejection!;
    }

    [Fact]
    public void The_template_loads_as_a_sale_of_one_ticket_for_900()
    {
        var order = With("price", "900");
        Assert.Empty(order.Problems);
        var row = new SalesRowConverter(WallClock.Moscow, 1).ToSalesRow(order, Event31000, out var rejection);
        Assert.Null(rejection);
        Assert.Equal(1u, row!.tickets_sold);
        Assert.Equal(900m, row.revenue);
    }

    [Theory]
    [InlineData("baskets.price", "\"12,5 руб\"", "basket 20000001: price '12,5 руб' is not an amount of money")]
    [InlineData("baskets.price", "\"1 500\"", "basket 20000001: price '1 500' is not an amount of money")]
    [InlineData("baskets.price", "\"1,500.00\"", "basket 20000001: price '1,500.00' is not an amount of money")]
    [InlineData("baskets.price", "\"\"", "basket 20000001: price '' is not an amount of money")]
    [InlineData("baskets.price", "{}", "basket 20000001: price (an object) is not an amount of money")]
    [InlineData("baskets.price", "true", "basket 20000001: price true is not an amount of money")]
    [InlineData("baskets.price", "12.345", "basket 20000001: price 12.345 is not a whole number of kopecks")]
    [InlineData("baskets.price", "null", "basket 20000001: price is missing")]
    [InlineData("baskets.price", null, "basket 20000001: price is missing")]
    [InlineData("baskets.quantity", "\"two\"", "basket 20000001: quantity 'two' is not a whole number of tickets")]
    [InlineData("baskets.quantity", "1.5", "basket 20000001: quantity 1.5 is not a whole number of tickets")]
    [InlineData("baskets.quantity", "-1", "basket 20000001: quantity -1 is not a whole number of tickets")]
    [InlineData("baskets.quantity", null, "basket 20000001: quantity is missing")]
    [InlineData("baskets.refunded_amount", "\"n/a\"", "basket 20000001: refunded_amount 'n/a' is not an amount of money")]
    [InlineData("baskets.original_price", "\"1000 RUB\"", "basket 20000001: original_price '1000 RUB' is not an amount of money")]
    [InlineData("baskets.discount_value", "\"10%\"", "basket 20000001: discount_value '10%' is not an amount of money")]
    [InlineData("baskets.ticket_amount", "\"-\"", "basket 20000001: ticket_amount '-' is not an amount of money")]
    [InlineData("baskets.service_fee_amount", "[]", "basket 20000001: service_fee_amount (a list) is not an amount of money")]
    [InlineData("baskets.show_id", "\"abc\"", "basket 20000001: show_id 'abc' is not a positive whole number")]
    [InlineData("baskets.show_id", null, "basket 20000001: show_id is missing")]
    [InlineData("baskets.id", "\"x1\"", "a basket: id 'x1' is not a positive whole number")]
    [InlineData("baskets.deleted_at", "\"yesterday\"", "basket 20000001: deleted_at 'yesterday' is not an ISO-8601 timestamp with an offset")]
    [InlineData("price", "\"900 руб\"", "price '900 руб' is not an amount of money")]
    [InlineData("original_price", "\"1e3x\"", "original_price '1e3x' is not an amount of money")]
    [InlineData("event_id", "\"abc\"", "event_id 'abc' is not a positive whole number")]
    [InlineData("event_id", "-5", "event_id -5 is not a positive whole number")]
    [InlineData("payed", "\"yes\"", "payed 'yes' is not true or false")]
    [InlineData("payed", "2", "payed 2 is not true or false")]
    [InlineData("payed", null, "payed is missing")]
    [InlineData("payed_at", "\"18.05.2021\"", "payed_at '18.05.2021' is not an ISO-8601 timestamp with an offset")]
    [InlineData("deleted_at", "\"2025-11-05 12:10\"", "deleted_at '2025-11-05 12:10' is not an ISO-8601 timestamp with an offset")]
    public void An_unreadable_value_rejects_the_order_naming_field_and_value(string path, string? rawJson, string problem)
    {
        var order = With(path, rawJson);
        Assert.Contains(problem, order.Problems);
        Assert.Contains(problem, Rejection(order));
    }

    [Fact]
    public void A_refund_without_its_amount_is_not_read_as_a_refund_of_0()
    {
        var order = With("baskets.refunded_at", "\"2025-11-06T10:00:00+03:00\"");
        Assert.Contains("basket 20000001: refunded_amount is missing although refunded_at is set", Rejection(order));
    }

    [Theory]
    [InlineData("\"abc\"", "abc")]
    [InlineData("\"5000001x\"", "5000001x")]
    [InlineData("0", "0")]
    [InlineData("-7", "-7")]
    [InlineData("1.5", "1.5")]
    public void An_unreadable_order_id_is_named_as_served_never_as_order_0(string rawId, string named)
    {
        var order = With("id", rawId);
        Assert.Equal(0, order.Id);
        Assert.Contains($"id {(rawId.StartsWith('"') ? $"'{named}'" : named)} is not a positive whole number", order.Problems);
        Assert.Equal($"Order with unreadable id '{named}'", order.ToString());
        Assert.Equal(named, RejectedOrderBook.KeyOf(order));
        Assert.DoesNotContain("Order 0", order.ToString());
        Rejection(order);
    }

    [Fact]
    public void A_missing_order_id_says_so()
    {
        var order = With("id", null);
        Assert.Contains("the order has no id", Rejection(order));
        Assert.Equal("(no id)", RejectedOrderBook.KeyOf(order));
    }

    [Theory]
    [InlineData("baskets.price", "900", 900)]
    [InlineData("baskets.price", "900.0", 900)]
    [InlineData("baskets.price", "\"900\"", 900)]
    [InlineData("baskets.price", "\"900.00\"", 900)]
    [InlineData("baskets.price", "\"899.50\"", 899.5)]
    [InlineData("baskets.price", "8.995e2", 899.5)]
    [InlineData("baskets.price", "0", 0)]
    public void PHP_forms_of_money_read_exactly(string path, string rawJson, decimal expected)
    {
        var order = With(path, rawJson);
        Assert.Empty(order.Problems);
        Assert.Equal(expected, order.Baskets[0].Price);
    }

    [Theory]
    [InlineData("payed", "true")]
    [InlineData("payed", "1")]
    [InlineData("payed", "\"1\"")]
    [InlineData("payed", "\"true\"")]
    [InlineData("id", "\"5000001\"")]
    [InlineData("event_id", "\"31000\"")]
    [InlineData("baskets.quantity", "\"1\"")]
    [InlineData("baskets.show_id", "\"200001\"")]
    [InlineData("baskets.refunded_amount", "0")]
    [InlineData("baskets.discount_value", "null")]
    [InlineData("utm", "{\"utm_source\":\"yandex\"}")]
    [InlineData("custom", "{\"var1\":\"val1\"}")]
    [InlineData("fields", "{}")]
    public void PHP_forms_of_ids_flags_and_empty_maps_are_accepted(string path, string rawJson)
    {
        var order = With(path, rawJson);
        Assert.Empty(order.Problems);
        var row = new SalesRowConverter(WallClock.Moscow, 1).ToSalesRow(order, Event31000, out var rejection);
        Assert.Null(rejection);
        Assert.Equal(1u, row!.tickets_sold);
        Assert.Equal(900m, row.revenue);
    }

    [Fact]
    public void A_quoted_value_is_cut_short_and_personal_looking_text_is_masked()
    {
        var order = With("baskets.price", "\"buyer1@example.test +70000000001\"");
        var problem = Assert.Single(order.Problems);
        Assert.DoesNotContain("@example.test", problem);
        Assert.DoesNotContain("70000000001", problem);
        var longValue = With("baskets.price", "\"" + new string('x', 80) + "\"");
        Assert.True(longValue.Problems[0].Length < 120, longValue.Problems[0]);
        Assert.Contains("...'", longValue.Problems[0]);
    }

    [Fact]
    public void The_genuine_captures_parse_with_no_problem_at_all()
    {
        foreach (var file in new[] { "orders_page1.json", "order_by_id.json" })
        {
            using var doc = JsonDocument.Parse(Fixtures.Bytes(file));
            var data = doc.RootElement.GetProperty("data");
            var orders = data.ValueKind == JsonValueKind.Array
                ? data.EnumerateArray().Select(o => QTicketsJson.ParseOrder(o, false)).ToList()
                : new List<Order> { QTicketsJson.ParseOrder(data, false) };
            Assert.NotEmpty(orders);
            Assert.All(orders, o => Assert.True(o.Problems.Count == 0, $"{file} {o}: {string.Join("; ", o.Problems)}"));
        }
    }
}
