using System.Text.Json;
using QTickets.Core.Json;
using QTickets.Tests.Shared;

namespace QTickets.Unit.Tests.Api;

/// <summary>payload_json keeps an allow-list of keys, and the strings it keeps have personal data masked.</summary>
public sealed class PayloadScrubTests
{
    static JsonElement Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    /// <summary>Every key path of <paramref name="e"/> (arrays by their items), e.g. "baskets.seat_name".</summary>
    static IEnumerable<string> Paths(JsonElement e, string prefix = "")
    {
        if (e.ValueKind == JsonValueKind.Array)
            return e.EnumerateArray().SelectMany(i => Paths(i, prefix)).Distinct();
        if (e.ValueKind != JsonValueKind.Object) return [];
        return e.EnumerateObject().SelectMany(p => Paths(p.Value, prefix + p.Name + ".").Prepend(prefix + p.Name)).Distinct();
    }

    static IEnumerable<string> Allowed(PersonalData.Shape shape, string prefix = "") =>
        shape.Keys.SelectMany(k => Allowed(k.Value, prefix + k.Key + ".").Prepend(prefix + k.Key));

    [Fact]
    public void The_payload_keeps_exactly_the_listed_keys_of_the_genuine_orders()
    {
        var allowed = Allowed(PersonalData.PayloadKeys).ToHashSet();
        var page = Parse(File.ReadAllText(Fixtures.PathOf("orders_page1.json"))).GetProperty("data").EnumerateArray()
            .Append(Parse(File.ReadAllText(Fixtures.PathOf("order_by_id.json"))).GetProperty("data"));
        var served = new HashSet<string>();
        var kept = new HashSet<string>();
        foreach (var order in page)
        {
            served.UnionWith(Paths(order));
            var payload = Parse(QTicketsJson.ParseOrder(order, includePersonalData: false).PayloadJson.ToString());
            kept.UnionWith(Paths(payload));
            Assert.Equal(order.GetProperty("id").GetInt64(), payload.GetProperty("id").GetInt64());
            Assert.Equal(order.GetProperty("price").GetRawText(), payload.GetProperty("price").GetRawText());
            Assert.Equal(order.GetProperty("baskets").GetArrayLength(), payload.GetProperty("baskets").GetArrayLength());
        }
        Assert.Subset(allowed, kept);
        // What a served order has and the payload keeps is exactly what is listed; the rest is what is dropped.
        Assert.Equal(served.Where(allowed.Contains).Order(), kept.Order());
        Assert.Equal(
            ["baskets.barcode", "baskets.client_email", "baskets.client_middlename", "baskets.client_name", "baskets.client_phone",
             "baskets.client_surname", "baskets.comment", "baskets.inn", "baskets.kpp", "baskets.legal_name", "baskets.organization_name",
             "baskets.passbook_url", "baskets.pdf_url", "baskets.work_position", "cancel_url", "client", "client.details",
             "client.details.facebook_id", "client.details.id", "client.details.middlename", "client.details.name",
             "client.details.phone", "client.details.surname", "client.details.vk_id", "client.email", "client.id", "fields",
             "payment_card_number", "payment_url", "uniqid"],
            served.Except(kept).Order());
    }

    [Fact]
    public void Planted_emails_phones_and_names_survive_in_no_field_and_no_unknown_key()
    {
        foreach (var node in PersonalDataProbe.Orders())
        {
            var order = Parse(node!.ToJsonString());
            var parsed = QTicketsJson.ParseOrder(order, includePersonalData: false);
            var u = parsed.Utm;
            var text = string.Join("|", parsed.PayloadJson, u.Source, u.Medium, u.Campaign, u.Content, u.Term);
            foreach (var needle in PersonalDataProbe.Needles)
                Assert.True(!text.Contains(needle, StringComparison.OrdinalIgnoreCase), $"'{needle}' in {text}");
            var payload = Parse(parsed.PayloadJson.ToString());
            foreach (var unknown in new[] { "buyer_note", "delivery", "fields", "client" })
                Assert.False(payload.TryGetProperty(unknown, out _), unknown);
            Assert.Equal(["utm_campaign", "utm_content", "utm_medium", "utm_source", "utm_term"],
                payload.GetProperty("utm").EnumerateObject().Select(p => p.Name).Order());
            Assert.Equal(["roistat"], payload.GetProperty("integrations").EnumerateObject().Select(p => p.Name));
            Assert.Equal(["amount", "id"], payload.GetProperty("refunds")[0].EnumerateObject().Select(p => p.Name).Order());
            var basket = payload.GetProperty("baskets")[0];
            Assert.False(basket.TryGetProperty("holder", out _));
            Assert.Equal("{}", basket.GetProperty("services")[0].GetRawText());
            Assert.EndsWith("(***)", basket.GetProperty("seat_name").GetString());
            Assert.Equal("***", payload.GetProperty("utm").GetProperty("utm_source").GetString());
            Assert.Equal("for ***", parsed.Utm.Campaign);
        }
    }

    [Theory]
    [InlineData("call +7 (916) 555-01-23 today", "call *** today")]
    [InlineData("+79165550123", "***")]
    [InlineData("8 (916) 555-01-23", "***")]
    [InlineData("89165550123", "***")]
    [InlineData("tel 9165550123.", "tel ***.")]
    [InlineData("+7 495 123-45-67", "***")]
    [InlineData("+44 20 7946 0958 (London)", "*** (London)")]
    [InlineData("write to a.b-c@mail.example.org please", "write to *** please")]
    [InlineData("{\"name\":\"Ivan\",\"id\":5}", "{\"name\":\"***\",\"id\":5}")]
    // Not personal: prices, ids, the ticket series, dates, a promo code.
    [InlineData("882024089", "882024089")]
    [InlineData("order 1614202, 390 RUB", "order 1614202, 390 RUB")]
    [InlineData("2021-05-18 12:23:40", "2021-05-18 12:23:40")]
    [InlineData("autumn-2025_vk", "autumn-2025_vk")]
    public void Free_text_has_emails_phones_and_quoted_personal_values_masked(string text, string expected) =>
        Assert.Equal(expected, PersonalData.MaskText(text));

    [Fact]
    public void The_orders_own_names_are_masked_as_whole_words_only()
    {
        var order = Parse("""{"id":1,"client":{"details":{"name":"Anna","surname":"Petrova","middlename":null}},"custom":"gift for anna PETROVA from Annabel; ян и Li, Lisa","baskets":[{"id":2,"show_id":3,"price":1,"quantity":1,"client_name":"Ян","client_surname":"Li"}]}""");
        var payload = Parse(QTicketsJson.ParseOrder(order, includePersonalData: false).PayloadJson.ToString());
        Assert.Equal("gift for *** *** from Annabel; *** и ***, Lisa", payload.GetProperty("custom").GetString());
        Assert.Equal("ян и ***", PersonalData.MaskText("ян и Li", ["Li"]));
        Assert.Equal("*** и Lisa", PersonalData.MaskText("ян и Lisa", ["Ян", "Li"]));
    }
}
