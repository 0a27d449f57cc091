using System.Text;
using QTickets.Sandbox.Json;

namespace QTickets.Sandbox.Tests;

public class FixtureFidelityTests(FixtureSandboxFixture fx) : IClassFixture<FixtureSandboxFixture>
{
    private Sandbox S => fx.S;

    [Theory]
    [InlineData("orders_page1.json")]
    [InlineData("order_by_id.json")]
    [InlineData("events_page1.json")]
    [InlineData("clients_page1.json")]
    [InlineData("discounts_page1.json")]
    [InlineData("promo_codes_page1.json")]
    public void PhpJsonWriter_round_trips_every_capture_byte_for_byte(string file)
    {
        var bytes = Fixtures.Bytes(file);
        var rendered = PhpJsonWriter.Render(JNode.Parse(bytes));
        Assert.Equal(Encoding.UTF8.GetString(bytes), Encoding.UTF8.GetString(rendered));
    }

    [Fact]
    public void Writer_escapes_like_php()
    {
        var n = new JObject().Add("s", "Тест/\"\\\r\n\t\u0001é😀").Add("m", 490m).Add("f", 490.50m).Add("e", new JObject()).Add("z", -0.0m);
        Assert.Equal("{\"s\":\"\\u0422\\u0435\\u0441\\u0442\\/\\\"\\\\\\r\\n\\t\\u0001\\u00e9\\ud83d\\ude00\",\"m\":490,\"f\":490.5,\"e\":[],\"z\":0}",
            PhpJsonWriter.RenderString(n));
    }

    [Fact]
    public async Task Orders_without_body_reproduce_the_captured_page_byte_for_byte()
    {
        var (status, body, resp) = await S.GetAsync("/orders");
        Assert.Equal(200, status);
        var expected = Encoding.UTF8.GetString(Fixtures.Bytes("orders_page1.json"));
        Assert.Equal(Fixtures.DataSlice(expected), Fixtures.DataSlice(body));
        Assert.Equal(expected, body); // with --total-override 123183 the whole page is identical
        Assert.Equal("application/json", resp.Content.Headers.ContentType!.ToString());
        Assert.Equal("nginx/1.14.1", resp.Headers.Server.ToString());
        Assert.Equal("MISS", resp.Headers.GetValues("X-Cache-Status").Single());
        Assert.Equal("no-cache, private", resp.Headers.CacheControl!.ToString());
        Assert.True(resp.Headers.TransferEncodingChunked);
        Assert.DoesNotContain(resp.Headers, h => h.Key.Contains("request-id", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Other_lists_reproduce_their_captured_data()
    {
        foreach (var (route, file) in new[] { ("/events", "events_page1.json"), ("/clients", "clients_page1.json"), ("/discounts", "discounts_page1.json"), ("/promo-codes", "promo_codes_page1.json") })
        {
            var (_, body, _) = await S.GetAsync(route);
            Assert.Equal(Fixtures.DataSlice(Encoding.UTF8.GetString(Fixtures.Bytes(file))), Fixtures.DataSlice(body));
        }
    }

    [Fact]
    public async Task Order_by_id_equals_capture_including_its_own_integrations_form()
    {
        var (status, body, _) = await S.GetAsync("/orders/1614202");
        Assert.Equal(200, status);
        Assert.Equal(Encoding.UTF8.GetString(Fixtures.Bytes("order_by_id.json")), body);
        Assert.Contains("\"integrations\":{\"roistat\"", body); // the list form has [] here
    }

    [Theory]
    [InlineData("/orders/4360", "GET /api/rest/v1/orders/4360 ")]
    [InlineData("/orders/999999999", "GET /api/rest/v1/orders/999999999 ")]
    [InlineData("/clients/235", "GET /api/rest/v1/clients/235 ")]
    [InlineData("/events/12", "GET /api/rest/v1/events/12 ")]
    [InlineData("/discounts/colors", "GET /api/rest/v1/discounts/colors ")]
    public async Task Unknown_ids_answer_exactly_like_production(string route, string what)
    {
        var capture = Fixtures.ErrorCapture(w => w.StartsWith(what, StringComparison.Ordinal));
        var (status, body, resp) = await S.GetAsync(route);
        Assert.Equal(capture.GetProperty("http_status").GetInt32(), status);
        Assert.Equal(capture.GetProperty("body").GetString(), body);
        Assert.Equal("application/json", resp.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Post_orders_filter_is_the_html_404_page()
    {
        var capture = Fixtures.ErrorCapture(w => w.StartsWith("POST /api/rest/v1/orders/filter", StringComparison.Ordinal));
        var (status, body, resp) = await S.SendAsync(HttpMethod.Post, "/orders/filter", "{\"payed\":true}");
        Assert.Equal(404, status);
        Assert.Equal(capture.GetProperty("body").GetString(), body);
        Assert.Equal("text/html; charset=UTF-8", resp.Content.Headers.ContentType!.ToString());
    }

    [Fact]
    public async Task Post_orders_with_a_filter_body_is_503_and_creates_nothing()
    {
        var capture = Fixtures.ErrorCapture(w => w.StartsWith("POST /api/rest/v1/orders with JSON body {\"where\"", StringComparison.Ordinal));
        var before = (await S.GetJsonAsync("/orders")).GetProperty("data").GetArrayLength();
        var (status, body, _) = await S.SendAsync(HttpMethod.Post, "/orders", "{\"where\":[{\"column\":\"payed\",\"value\":1}],\"per_page\":200}");
        Assert.Equal(503, status);
        Assert.Equal(capture.GetProperty("body").GetString(), body);
        Assert.Equal(before, (await S.GetJsonAsync("/orders")).GetProperty("data").GetArrayLength());
    }
}
