using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace QTickets.Sandbox.Tests;

public class ApiBehaviourTests(GeneratedSandboxFixture fx) : IClassFixture<GeneratedSandboxFixture>
{
    private Sandbox S => fx.S;

    private static DateTimeOffset Ts(JsonElement e) => DateTimeOffset.Parse(e.GetString()!, CultureInfo.InvariantCulture);

    [Fact]
    public async Task Default_page_is_50_orders_id_ascending_of_every_status()
    {
        var j = await S.GetJsonAsync("/orders");
        var data = j.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(50, data.Count);
        var ids = data.Select(o => o.GetProperty("id").GetInt64()).ToList();
        Assert.Equal(ids.Order(), ids);
        var paging = j.GetProperty("paging");
        Assert.Equal(50, paging.GetProperty("perPage").GetInt32());
        Assert.Equal(1, paging.GetProperty("currentPage").GetInt32());
        Assert.Equal(3000, paging.GetProperty("total").GetInt32());
        Assert.Contains(data, o => o.GetProperty("payed").GetBoolean());
        Assert.Contains(data, o => !o.GetProperty("payed").GetBoolean());
        Assert.Equal(["data", "paging"], j.EnumerateObject().Select(p => p.Name));
    }

    [Theory]
    [InlineData("/events", 10)]
    [InlineData("/clients", 100)]
    [InlineData("/discounts", 100)]
    [InlineData("/promo-codes", 500)]
    public async Task Default_page_sizes_per_endpoint(string route, int perPage)
    {
        var j = await S.GetJsonAsync(route);
        Assert.Equal(perPage, j.GetProperty("paging").GetProperty("perPage").GetInt32());
        Assert.True(j.GetProperty("data").GetArrayLength() <= perPage);
        Assert.True(j.GetProperty("data").GetArrayLength() > 0);
    }

    [Fact]
    public async Task Flat_query_parameters_are_ignored()
    {
        var (_, plain, _) = await S.GetAsync("/orders");
        var (status, flat, _) = await S.GetAsync("/orders?organization=x&payed=1&since=2026-11-01T00:00:00%2B0300&status=paid&per_page=200&page=2&perPage=5");
        Assert.Equal(200, status);
        Assert.Equal(plain, flat);
    }

    [Fact]
    public async Task Where_in_the_query_string_is_503()
    {
        var (status, body, resp) = await S.GetAsync("/orders?where=%5B%7B%22column%22%3A%22payed%22%2C%22value%22%3A1%7D%5D&per_page=200&page=1");
        Assert.Equal(503, status);
        Assert.Equal("{\"error\":\"unknown error\",\"status\":503,\"code\":\"UNKNOWN_ERROR\"}", body);
        Assert.False(resp.Headers.Contains("X-Cache-Status"));
    }

    [Theory]
    [InlineData("GET", "/barcodes")]
    [InlineData("GET", "/events/12/seats")]
    [InlineData("GET", "/price-shades")]
    [InlineData("POST", "/orders/filter")]
    [InlineData("PATCH", "/orders/1")]
    public async Task Unknown_routes_are_html_404(string method, string route)
    {
        var (status, body, resp) = await S.SendAsync(new HttpMethod(method), route);
        Assert.Equal(404, status);
        Assert.Equal("text/html; charset=UTF-8", resp.Content.Headers.ContentType!.ToString());
        Assert.Contains("<title>Страница не найдена 404 – Qtickets</title>", body);
    }

    [Fact]
    public async Task Missing_or_wrong_token_is_403_json()
    {
        var (s1, b1, _) = await S.SendAsync(HttpMethod.Get, "/orders", token: null);
        var (s2, b2, _) = await S.SendAsync(HttpMethod.Get, "/events", token: "wrong");
        Assert.Equal(403, s1);
        Assert.Equal(403, s2);
        foreach (var b in new[] { b1, b2 })
        {
            var j = JsonDocument.Parse(b).RootElement;
            Assert.Equal(["error", "status"], j.EnumerateObject().Select(p => p.Name));
            Assert.Equal(403, j.GetProperty("status").GetInt32());
        }
    }

    [Fact]
    public async Task Head_gives_status_and_headers_without_body()
    {
        var resp = await S.Http.SendAsync(S.Req(HttpMethod.Head, "/orders"));
        Assert.Equal(200, (int)resp.StatusCode);
        Assert.Equal("nginx/1.14.1", resp.Headers.Server.ToString());
        Assert.Empty(await resp.Content.ReadAsByteArrayAsync());
        var nf = await S.Http.SendAsync(S.Req(HttpMethod.Head, "/orders/1"));
        Assert.Equal(404, (int)nf.StatusCode);
    }

    [Fact]
    public async Task Payed_filter_with_payed_at_window()
    {
        var from = "2026-11-01T00:00:00+03:00";
        var to = "2026-11-10T00:00:00+03:00";
        var all = await S.AllOrdersAsync();
        var expected = all.Where(o => o.GetProperty("payed").GetBoolean() && Ts(o.GetProperty("payed_at")) >= DateTimeOffset.Parse(from) && Ts(o.GetProperty("payed_at")) < DateTimeOffset.Parse(to))
            .Select(o => o.GetProperty("id").GetInt64()).ToList();
        Assert.NotEmpty(expected);
        Assert.True(expected.Count < all.Count);

        // the value given in UTC must select the same instants
        foreach (var payed in new[] { "1", "true" })
        {
            var got = await S.AllOrdersAsync($"[{{\"column\":\"payed\",\"value\":{payed}}},{{\"column\":\"payed_at\",\"operator\":\">=\",\"value\":\"2026-10-31T21:00:00Z\"}},{{\"column\":\"payed_at\",\"operator\":\"<\",\"value\":\"{to}\"}}]");
            Assert.Equal(expected, got.Select(o => o.GetProperty("id").GetInt64()));
        }
        var unpaid = await S.AllOrdersAsync("[{\"column\":\"payed\",\"value\":0}]");
        Assert.All(unpaid, o => Assert.Equal(JsonValueKind.Null, o.GetProperty("payed_at").ValueKind));
        Assert.Equal(all.Count(o => !o.GetProperty("payed").GetBoolean()), unpaid.Count);
    }

    [Fact]
    public async Task In_null_and_not_null_operators()
    {
        var all = await S.AllOrdersAsync();
        var events = all.Select(o => o.GetProperty("event_id").GetInt64()).Distinct().Take(2).ToList();
        var inRes = await S.AllOrdersAsync($"[{{\"column\":\"event_id\",\"operator\":\"in\",\"value\":[{events[0]},{events[1]}]}}]");
        Assert.Equal(all.Count(o => events.Contains(o.GetProperty("event_id").GetInt64())), inRes.Count);
        var notIn = await S.AllOrdersAsync($"[{{\"column\":\"event_id\",\"operator\":\"not in\",\"value\":[{events[0]},{events[1]}]}}]");
        Assert.Equal(all.Count, inRes.Count + notIn.Count);

        var live = await S.AllOrdersAsync("[{\"column\":\"deleted_at\",\"operator\":\"null\"}]");
        var deleted = await S.AllOrdersAsync("[{\"column\":\"deleted_at\",\"operator\":\"not null\",\"value\":null}]");
        Assert.All(live, o => Assert.Equal(JsonValueKind.Null, o.GetProperty("deleted_at").ValueKind));
        Assert.All(deleted, o => Assert.NotEqual(JsonValueKind.Null, o.GetProperty("deleted_at").ValueKind));
        Assert.NotEmpty(deleted);
        Assert.Equal(all.Count, live.Count + deleted.Count);

        // dotted path into baskets: any basket matching
        var showId = all[0].GetProperty("baskets")[0].GetProperty("show_id").GetInt64();
        var byShow = await S.AllOrdersAsync($"[{{\"column\":\"baskets.show_id\",\"value\":{showId}}}]");
        Assert.Equal(all.Count(o => o.GetProperty("baskets").EnumerateArray().Any(b => b.GetProperty("show_id").GetInt64() == showId)), byShow.Count);
    }

    [Fact]
    public async Task Order_by_desc_and_select_projection()
    {
        var j = await S.GetJsonAsync("/orders", "{\"orderBy\":{\"price\":\"desc\"},\"perPage\":20,\"select\":[\"id\",\"price\",\"client.email\",\"baskets.id\"]}");
        var data = j.GetProperty("data").EnumerateArray().ToList();
        var prices = data.Select(o => o.GetProperty("price").GetDecimal()).ToList();
        Assert.Equal(prices.OrderDescending(), prices);
        Assert.All(data, o => Assert.Equal(["id", "client", "price", "baskets"], o.EnumerateObject().Select(p => p.Name)));
        Assert.All(data, o => Assert.Equal(["email"], o.GetProperty("client").EnumerateObject().Select(p => p.Name)));
        Assert.All(data, o => Assert.All(o.GetProperty("baskets").EnumerateArray(), b => Assert.Equal(["id"], b.EnumerateObject().Select(p => p.Name))));
    }

    [Fact]
    public async Task Paging_with_per_page_and_perPage_total_and_beyond_end()
    {
        var a = await S.GetJsonAsync("/orders", "{\"per_page\":7,\"page\":2}");
        var b = await S.GetJsonAsync("/orders", "{\"perPage\":7,\"page\":2}");
        Assert.Equal(a.GetRawText(), b.GetRawText());
        Assert.Equal(7, a.GetProperty("data").GetArrayLength());
        Assert.Equal(7, a.GetProperty("paging").GetProperty("perPage").GetInt32());
        Assert.Equal(2, a.GetProperty("paging").GetProperty("currentPage").GetInt32());

        var capped = await S.GetJsonAsync("/orders", "{\"per_page\":5000}");
        Assert.Equal(1000, capped.GetProperty("paging").GetProperty("perPage").GetInt32());

        var filter = "[{\"column\":\"payed\",\"value\":1}]";
        var first = await S.GetJsonAsync("/orders", $"{{\"where\":{filter},\"per_page\":400,\"page\":1}}");
        var total = first.GetProperty("paging").GetProperty("total").GetInt32();
        var ids = new List<long>();
        var pages = (total + 399) / 400;
        for (var p = 1; p <= pages; p++)
        {
            var j = await S.GetJsonAsync("/orders", $"{{\"where\":{filter},\"per_page\":400,\"page\":{p}}}");
            Assert.Equal(total, j.GetProperty("paging").GetProperty("total").GetInt32());
            ids.AddRange(j.GetProperty("data").EnumerateArray().Select(o => o.GetProperty("id").GetInt64()));
        }
        Assert.Equal(total, ids.Count);
        Assert.Equal(total, ids.Distinct().Count());
        var beyond = await S.GetJsonAsync("/orders", $"{{\"where\":{filter},\"per_page\":400,\"page\":{pages + 1}}}");
        Assert.Equal(0, beyond.GetProperty("data").GetArrayLength());
        Assert.Equal(total, beyond.GetProperty("paging").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Generated_orders_have_php_wire_style_and_consistent_sums()
    {
        var (_, raw, _) = await S.GetAsync("/orders", "{\"per_page\":1000}");
        Assert.Contains("https:\\/\\/qtickets.ru\\/pay\\/", raw);
        Assert.Matches(@"\\u[0-9a-f]{4}", raw);
        Assert.DoesNotMatch(@"\\u[0-9a-f]{0,3}[A-F]", raw);
        Assert.DoesNotMatch("\"price\":\\d+\\.0[,}]", raw);
        Assert.Matches("\"price\":\\d+\\.5[,}]", raw);      // fractional money exists and stays fractional
        Assert.Contains("\"utm\":[]", raw);
        Assert.Contains("\"utm\":{\"utm_source\":", raw);
        Assert.Contains("\"custom\":\"\",\"fields\":[]", raw);
        foreach (Match m in Regex.Matches(raw, "\"(\\d{4}-\\d\\d-\\d\\dT[^\"]*)\""))
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+03:00$", m.Groups[1].Value);

        var j = JsonDocument.Parse(raw).RootElement;
        string[] orderKeys = ["id", "uniqid", "payed", "payed_at", "client_id", "client", "site_id", "site", "payment_id", "payment_type_id", "payment_card_number", "payment_url", "cancel_url", "basket_user_id", "backend_user_id", "access_code_id", "discount_id", "promo_code_id", "reserved", "reserved_to", "reserve_extended", "event_id", "price", "original_price", "currency_id", "utm", "custom", "fields", "baskets", "refunds", "integrations", "created_at", "updated_at", "deleted_at"];
        var fixtureBasketKeys = JsonDocument.Parse(Fixtures.Bytes("order_by_id.json")).RootElement.GetProperty("data").GetProperty("baskets")[0].EnumerateObject().Select(p => p.Name).ToList();
        var sawCancelled = false; var sawRefund = false; var sawInvitation = false;
        foreach (var o in j.GetProperty("data").EnumerateArray())
        {
            Assert.Equal(orderKeys, o.EnumerateObject().Select(p => p.Name));
            var baskets = o.GetProperty("baskets").EnumerateArray().ToList();
            Assert.Equal(fixtureBasketKeys, baskets[0].EnumerateObject().Select(p => p.Name));
            Assert.Equal(o.GetProperty("price").GetDecimal(), baskets.Sum(b => b.GetProperty("price").GetDecimal()));
            Assert.Equal(o.GetProperty("original_price").GetDecimal(), baskets.Sum(b => b.GetProperty("original_price").GetDecimal()));
            Assert.Equal(o.GetProperty("payed").GetBoolean(), o.GetProperty("payed_at").ValueKind != JsonValueKind.Null);
            if (!o.GetProperty("payed").GetBoolean() && o.GetProperty("deleted_at").ValueKind != JsonValueKind.Null)
            {
                sawCancelled = true;
                Assert.All(baskets, b =>
                {
                    Assert.NotEqual(JsonValueKind.Null, b.GetProperty("deleted_at").ValueKind);
                    Assert.Equal(JsonValueKind.Null, b.GetProperty("barcode").ValueKind);
                    Assert.Equal(JsonValueKind.Null, b.GetProperty("pdf_url").ValueKind);
                    Assert.Equal(0, b.GetProperty("ticket_amount").GetDecimal());
                    Assert.Equal(0, b.GetProperty("refunded_amount").GetDecimal());
                });
            }
            if (o.GetProperty("refunds").GetArrayLength() > 0)
            {
                sawRefund = true;
                Assert.Contains(baskets, b => b.GetProperty("refunded_at").ValueKind != JsonValueKind.Null);
            }
            if (o.GetProperty("payed").GetBoolean() && o.GetProperty("price").GetDecimal() == 0) sawInvitation = true;
        }
        Assert.True(sawCancelled && sawRefund && sawInvitation, $"cancelled={sawCancelled} refund={sawRefund} invitation={sawInvitation}");
    }

    [Fact]
    public async Task Events_span_cities_with_different_time_zones()
    {
        var j = await S.GetJsonAsync("/events", "{\"per_page\":100}");
        var zones = j.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("city").GetProperty("timezone").GetString()).Distinct().ToList();
        Assert.True(zones.Count >= 4, string.Join(",", zones));
        Assert.Contains(j.GetProperty("data").EnumerateArray(), e => e.GetProperty("deleted_at").ValueKind != JsonValueKind.Null);
        var one = j.GetProperty("data")[0];
        Assert.Equal(one.GetRawText(), (await S.GetJsonAsync($"/events/{one.GetProperty("id").GetInt64()}")).GetProperty("data").GetRawText());
    }

    [Fact]
    public async Task Seat_maps_match_the_live_tickets_sold()
    {
        var all = await S.AllOrdersAsync();
        var byShow = new Dictionary<long, int>();
        foreach (var o in all)
        {
            if (o.GetProperty("deleted_at").ValueKind != JsonValueKind.Null) continue;
            foreach (var b in o.GetProperty("baskets").EnumerateArray())
            {
                if (b.GetProperty("deleted_at").ValueKind != JsonValueKind.Null) continue;
                if (b.GetProperty("refunded_at").ValueKind != JsonValueKind.Null && b.GetProperty("refunded_amount").GetDecimal() >= b.GetProperty("price").GetDecimal()) continue;
                var s = b.GetProperty("show_id").GetInt64();
                byShow[s] = byShow.GetValueOrDefault(s) + 1;
            }
        }
        foreach (var (show, live) in byShow.OrderByDescending(kv => kv.Value).Take(3))
        {
            var j = await S.GetJsonAsync($"/shows/{show}/seats", "{\"select\":[\"max_quantity\",\"free_quantity\",\"ordered_quantity\",\"payed_quantity\",\"admission\"],\"flat\":true}");
            var seats = j.GetProperty("data").EnumerateObject().ToList();
            Assert.Equal(AdmissionSeats + 1, seats.Count);
            Assert.All(seats, s => Assert.Equal(["admission", "max_quantity", "free_quantity", "ordered_quantity", "payed_quantity"], s.Value.EnumerateObject().Select(p => p.Name)));
            Assert.Equal(live, seats.Sum(s => s.Value.GetProperty("max_quantity").GetInt32() - s.Value.GetProperty("free_quantity").GetInt32()));
            Assert.Equal(live, seats.Sum(s => s.Value.GetProperty("ordered_quantity").GetInt32()));
            Assert.All(seats, s => Assert.True(s.Value.GetProperty("payed_quantity").GetInt32() <= s.Value.GetProperty("ordered_quantity").GetInt32()));
        }
        var (nf, _, _) = await S.GetAsync("/shows/1/seats");
        Assert.Equal(404, nf);
    }

    private const int AdmissionSeats = 260;

    [Fact]
    public async Task Clients_discounts_and_promo_codes_have_the_captured_shapes()
    {
        string[] Keys(string file, string? sub = null) => JsonDocument.Parse(Fixtures.Bytes(file)).RootElement.GetProperty("data")[0].EnumerateObject().Select(p => p.Name).ToArray();
        foreach (var (route, file) in new[] { ("/clients", "clients_page1.json"), ("/discounts", "discounts_page1.json"), ("/promo-codes", "promo_codes_page1.json") })
        {
            var j = await S.GetJsonAsync(route);
            Assert.Equal(Keys(file), j.GetProperty("data")[0].EnumerateObject().Select(p => p.Name));
        }
        var c = (await S.GetJsonAsync("/clients")).GetProperty("data")[3];
        Assert.Equal(c.GetRawText(), (await S.GetJsonAsync($"/clients/{c.GetProperty("id").GetInt64()}")).GetProperty("data").GetRawText());
        Assert.Matches(@"^buyer\d+@example\.test$", c.GetProperty("email").GetString()!);
        Assert.Matches(@"^\+7\d{10}$", c.GetProperty("details").GetProperty("phone").GetString()!);
    }
}
