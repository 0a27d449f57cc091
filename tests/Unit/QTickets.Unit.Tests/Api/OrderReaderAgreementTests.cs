using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using QTickets.Core.Json;
using QTickets.Core.Model;
using QTickets.Tests.Shared;

namespace QTickets.Unit.Tests.Api;

/// <summary>
/// The one-pass reader against <see cref="DomOrderReading"/> (every field looked up in a parsed document, the payload
/// written in a second walk): the same order, the same problems in the same order, and the same payload byte for byte,
/// with and without personal data, on every served order and on variants built to find where a forward pass could
/// differ: PHP's forms (numbers as strings, false for null, [] for {}), escaped names and values, personal data in keys
/// nobody listed and in nested lists, names that come after the text quoting them, keys served twice, broken values.
/// </summary>
public sealed class OrderReaderAgreementTests
{
    static IEnumerable<JsonObject> ServedOrders()
    {
        foreach (var order in JsonNode.Parse(File.ReadAllText(Fixtures.PathOf("orders_page1.json")))!["data"]!.AsArray())
            yield return order!.AsObject();
        yield return JsonNode.Parse(File.ReadAllText(Fixtures.PathOf("order_by_id.json")))!["data"]!.AsObject();
    }

    /// <summary>The order both ways, as text that shows every property (baskets and payload included) for a readable diff.</summary>
    static void AssertAgree(string json, string what)
    {
        foreach (var personal in new[] { false, true })
        {
            using var document = JsonDocument.Parse(json);
            var expected = Describe(DomOrderReading.ParseOrder(document.RootElement, personal));
            var actual = Describe(QTicketsJson.ParseOrder(Encoding.UTF8.GetBytes(json), personal));
            Assert.True(expected == actual, $"{what} (personal data {personal}):\nexpected {expected}\nactual   {actual}");
        }
    }

    internal static string Describe(Order order)
    {
        var text = new StringBuilder();
        void Properties(object item)
        {
            foreach (var p in item.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).OrderBy(p => p.Name))
            {
                var value = p.GetValue(item);
                text.Append(p.Name).Append('=');
                switch (value)
                {
                    case IReadOnlyList<Basket> baskets:
                        text.Append('[');
                        foreach (var b in baskets) { text.Append('{'); Properties(b); text.Append('}'); }
                        text.Append(']');
                        break;
                    case IReadOnlyList<string> problems: text.Append('[').AppendJoin(" | ", problems).Append(']'); break;
                    case DateTimeOffset t: text.Append(t.ToString("O", CultureInfo.InvariantCulture)); break;
                    case IFormattable f: text.Append(f.ToString(null, CultureInfo.InvariantCulture)); break;
                    default: text.Append(value?.ToString() ?? "(null)"); break;
                }
                text.Append("; ");
            }
        }
        Properties(order);
        return text.ToString();
    }

    [Fact]
    public void Served_orders_read_the_same_both_ways()
    {
        var n = 0;
        foreach (var order in ServedOrders()) AssertAgree(order.ToJsonString(), $"served order #{n++}");
        Assert.Equal(51, n);
    }

    [Fact]
    public void Orders_with_personal_data_planted_everywhere_read_the_same_both_ways()
    {
        var n = 0;
        foreach (var order in PersonalDataProbe.Orders()) AssertAgree(order!.ToJsonString(), $"probe order #{n++}");
    }

    [Fact]
    public void Phps_forms_read_the_same_both_ways()
    {
        foreach (var order in ServedOrders())
        {
            AssertAgree(Rewrite(order, v => v is JsonValue value && value.GetValueKind() == JsonValueKind.Number ? JsonValue.Create(value.ToJsonString()) : v),
                "numbers as strings");
            AssertAgree(Rewrite(order, v => v is null ? JsonValue.Create(false) : v), "false for null");
            AssertAgree(Rewrite(order, v => v switch
            {
                JsonObject { Count: 0 } => new JsonArray(),
                JsonArray { Count: 0 } => new JsonObject(),
                _ => v,
            }), "[] for {} and {} for []");
        }
    }

    [Fact]
    public void Escaped_names_and_values_read_the_same_both_ways()
    {
        foreach (var order in ServedOrders())
        {
            AssertAgree(Escaped(order, everyCharacter: false), "non-ASCII escaped, as PHP sends it");
            AssertAgree(Escaped(order, everyCharacter: true), "every character of every name and string escaped");
        }
    }

    [Fact]
    public void Names_served_after_the_texts_that_quote_them_are_masked_the_same_both_ways()
    {
        foreach (var order in ServedOrders().Take(12))
        {
            var baskets = order["baskets"]!.AsArray();
            if (baskets.Count == 0) continue;
            var holder = baskets[^1]!.AsObject();
            holder["client_name"] = "Ёлка  Anna-Maria";
            holder["client_surname"] = "O'Neil";
            holder["client_middlename"] = 42;
            order["client"]!["details"]!["surname"] = "Li Petrova";
            order["custom"] = "подарок для ЁЛКА и anna-maria (o'neil), petrova; Lisa, Li.";
            order["utm"] = new JsonObject { ["utm_source"] = "  ёлка ", ["utm_campaign"] = 7, ["utm_term"] = true, ["utm_medium"] = new JsonArray("Li") };
            order["site"] = new JsonObject { ["id"] = 1, ["host"] = "petrova.example" };
            var first = baskets[0]!.AsObject();
            first["seat_name"] = "Anna-Maria, ряд 1";
            first["related_baskets"] = new JsonArray(new JsonArray("Li", new JsonObject { ["client_email"] = "a@b.example", ["note"] = "Petrova" }), "li");
            first["services"] = new JsonArray(new JsonObject { ["name"] = "Petrova" }, "Petrova +7 916 555 01 23", new JsonArray(new JsonArray("O'Neil")));
            first["refunds"] = new JsonArray(new JsonObject { ["id"] = 1, ["amount"] = "Ёлка", ["comment"] = "Li" }, new JsonArray("Li"));
            // The buyer after the baskets, the tags after the buyer: names arrive last.
            var client = order["client"]!;
            order.Remove("client");
            order["client"] = client;
            AssertAgree(order.ToJsonString(), "names served last");
            AssertAgree(Escaped(order, everyCharacter: true), "names served last, escaped");
        }
    }

    [Fact]
    public void Keys_served_twice_count_with_their_last_value_both_ways()
    {
        foreach (var order in ServedOrders().Take(8))
        {
            var json = order.ToJsonString();
            var twice = json[..^1] +
                ""","price":"12.5","payed":"yes","id":"abc","baskets":[{"id":7,"show_id":1,"price":"1 500","quantity":-1,"seat_name":"Zed","client_name":"Zed"},{"id":8,"show_id":2,"price":10,"quantity":"2","refunded_at":"2024-01-02T03:04:05+03:00","client_surname":"Zed"}]""" +
                ""","custom":"for zed","utm":{"utm_source":"zed","utm_source":"zed@mail.example"},"client":{"details":{"name":"Zed"},"details":[]}}""";
            AssertAgree(twice, "keys served twice");
        }
    }

    [Theory]
    [InlineData("""{"id":null,"payed":null,"price":{},"original_price":[1],"payed_at":"2021-05-18 12:23:40","baskets":[{}]}""")]
    [InlineData("""{"id":"0012","payed":"1","event_id":"-5","price":"-50.00","payed_at":"2021-02-30T10:00:00+03:00","created_at":"2021-05-18T12:23:40Z","updated_at":"","deleted_at":false,"baskets":[]}""")]
    [InlineData("""{"id":1e3,"payed":2,"price":0.005,"original_price":"1,5","reserved":"True","reserved_to":5,"discount_id":" 12 ","promo_code_id":"x","client_id":9.5,"baskets":{"id":1,"client_name":"Ann"}}""")]
    [InlineData("""{"id":12345678901234567890,"payed":"false","baskets":[{"id":"1","show_id":"2","price":"3","quantity":"99999999999","refunded_at":"2021-05-18T12:23:40.123+03:00","refunded_amount":null,"checked_at":"x"}]}""")]
    [InlineData("""{"id":5,"payed":true,"custom":{"note":"Ann"},"utm":{"utm_source":{"a":1}},"client":{"email":7,"details":{"name":["Ann"],"surname":"Bo","phone":79165550123}},"payment_card_number":1234,"baskets":[{"id":1,"show_id":1,"price":1,"quantity":1,"client_name":"Bo Ann","client_email":"x@y.example","seat_name":"Bo's seat \"A\" \\ \/ \b\f\n\r\t \u0000"}]}""")]
    [InlineData("""{"id":6,"payed":1,"integrations":{"roistat":[{"roistat_visit":"+44 20 7946 0958"}],"amocrm":{"x":1}},"refunds":[{"id":1,"amount":"5","deleted_at":null,"who":"Ann"}],"site":[],"baskets":[{"id":1,"show_id":1,"price":1,"quantity":0,"series":"882024089","seat_id":123,"services":[[["deep"]]]}]}""")]
    public void Broken_and_odd_orders_read_the_same_both_ways(string json) => AssertAgree(json, json);

    /// <summary>
    /// Random variants aimed at what the forward pass keeps between orders and keys: the baskets' key order it predicts
    /// (shuffled now and then), seat names it caches by their served bytes (the same and different values, escaped or
    /// not, on one reader in a row), amounts it reads as integers, and names it searches for once per order.
    /// </summary>
    [Fact]
    public void Random_variants_read_the_same_both_ways_one_after_another()
    {
        var random = new Random(18);
        var served = ServedOrders().ToList();
        string[] texts = ["Детский билет (в будни)", "Взрослый билет (в будни)", "Ряд 5, место 12", "VIP \"A\" / B", "ложа №3 «Север»",
            "Anna", "анна-мария", "+7 916 555 01 23", "a@b.example", "😀 Ёлка", "", "  ", "ѐЀџЏ\u0480"];
        string[] names = ["Anna", "Анна", "Мария Ивановна", "Li", "Ёлка", "O'Neil"];
        JsonNode[] amounts = [390, 0, -5, JsonValue.Create(12.5m)!, JsonValue.Create(0.005m)!, "390", "1 500", JsonValue.Create(123456789012345678m)!,
            JsonValue.Create(1234567890123456789012m)!, JsonValue.Create(-0.0m)!];
        for (var i = 0; i < 600; i++)
        {
            var order = served[random.Next(served.Count)].DeepClone().AsObject();
            foreach (var node in order["baskets"]!.AsArray())
            {
                var basket = node!.AsObject();
                if (random.Next(4) == 0) basket["seat_name"] = texts[random.Next(texts.Length)];
                if (random.Next(6) == 0) basket["price"] = amounts[random.Next(amounts.Length)].DeepClone();
                if (random.Next(6) == 0) basket["client_name"] = names[random.Next(names.Length)];
                if (random.Next(8) == 0)
                {
                    var members = basket.ToList();
                    basket.Clear();
                    foreach (var (key, value) in members.OrderBy(_ => random.Next())) basket[key] = value;
                }
            }
            if (random.Next(4) == 0) order["custom"] = texts[random.Next(texts.Length)] + " " + names[random.Next(names.Length)];
            if (random.Next(6) == 0) order["price"] = amounts[random.Next(amounts.Length)].DeepClone();
            var json = random.Next(3) switch
            {
                0 => order.ToJsonString(),
                1 => order.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }),
                _ => Escaped(order, everyCharacter: false),
            };
            AssertAgree(json, $"variant #{i}: {json}");
        }
    }

    [Fact]
    public void What_is_not_an_order_is_refused_by_name()
    {
        Assert.Contains("not an object", Assert.Throws<JsonException>(() => QTicketsJson.ParseOrder("[1]"u8, false)).Message);
        Assert.Contains("a basket is a number", Assert.Throws<JsonException>(() => QTicketsJson.ParseOrder("""{"id":1,"baskets":[1]}"""u8, false)).Message);
    }

    /// <summary>The order with every value replaced by <paramref name="change"/> (applied bottom-up).</summary>
    static string Rewrite(JsonNode order, Func<JsonNode?, JsonNode?> change)
    {
        JsonNode? Walk(JsonNode? node) => node switch
        {
            JsonObject o => change(new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, Walk(p.Value))))),
            JsonArray a => change(new JsonArray(a.Select(Walk).ToArray())),
            null => change(null),
            _ => change(node.DeepClone()),
        };
        return Walk(order)?.ToJsonString() ?? "null";
    }

    /// <summary>
    /// The order as JSON text with strings and names escaped as \uXXXX: non-ASCII only (PHP's json_encode), or every
    /// character (so no key and no value is found by its plain bytes).
    /// </summary>
    static string Escaped(JsonNode order, bool everyCharacter)
    {
        var text = new StringBuilder();
        void String(string s)
        {
            text.Append('"');
            foreach (var c in s)
            {
                if (everyCharacter || c > 0x7E || c < 0x20 || c is '"' or '\\' or '/') text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                else text.Append(c);
            }
            text.Append('"');
        }
        void Walk(JsonNode? node)
        {
            switch (node)
            {
                case null: text.Append("null"); break;
                case JsonObject o:
                    text.Append('{');
                    var first = true;
                    foreach (var (key, value) in o)
                    {
                        if (!first) text.Append(',');
                        first = false;
                        String(key);
                        text.Append(':');
                        Walk(value);
                    }
                    text.Append('}');
                    break;
                case JsonArray a:
                    text.Append('[');
                    for (var i = 0; i < a.Count; i++)
                    {
                        if (i > 0) text.Append(',');
                        Walk(a[i]);
                    }
                    text.Append(']');
                    break;
                case JsonValue v when v.GetValueKind() == JsonValueKind.String: String(v.GetValue<string>()); break;
                default: text.Append(node.ToJsonString()); break;
            }
        }
        Walk(order);
        return text.ToString();
    }
}
