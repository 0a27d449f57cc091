using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace QTickets.Sandbox.Tests;

/// <summary>The sandbox's webhook deliveries against a recording receiver of the test's own.</summary>
public sealed class WebhookTests
{
    const string Secret = "sandbox-webhook-secret-0123456789";

    sealed record Received(string EventType, string? Signature, string? Model, string? Agent, byte[] Body, bool SignatureValid, int Answer)
    {
        public long OrderId => JsonDocument.Parse(Body).RootElement.GetProperty("id").GetInt64();
    }

    /// <summary>Records every POST; answers 401 to a bad signature, else what <see cref="Answer"/> says (200 by default).</summary>
    sealed class Recorder : IDisposable
    {
        readonly HttpListener _listener = new();
        public ConcurrentQueue<Received> All { get; } = new();
        public Func<Received, int> Answer { get; set; } = _ => 200;
        public string Url { get; }

        public Recorder()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            Url = $"http://127.0.0.1:{port}/hook";
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            _listener.Start();
            _ = Task.Run(LoopAsync);
        }

        async Task LoopAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext ctx;
                try { ctx = await _listener.GetContextAsync(); } catch (Exception) { return; }
                using var ms = new MemoryStream();
                await ctx.Request.InputStream.CopyToAsync(ms);
                var body = ms.ToArray();
                var sig = ctx.Request.Headers["X-Signature"];
                var valid = sig == Convert.ToHexStringLower(HMACSHA1.HashData(Encoding.UTF8.GetBytes(Secret), body));
                var r = new Received(ctx.Request.Headers["X-Event-Type"] ?? "", sig, ctx.Request.Headers["X-Model-Name"], ctx.Request.UserAgent, body, valid, 0);
                var status = valid ? Answer(r) : 401;
                All.Enqueue(r with { Answer = status });
                ctx.Response.StatusCode = status;
                ctx.Response.Close();
            }
        }

        public void Dispose() => _listener.Close();
    }

    static Task<JsonElement> Configure(Sandbox s, string json) => s.ControlAsync(HttpMethod.Post, "/_sandbox/webhooks", json);
    static Task<JsonElement> Flush(Sandbox s) => s.ControlAsync(HttpMethod.Post, "/_sandbox/webhooks/flush");
    static Task<JsonElement> Advance(Sandbox s, int seconds) => s.ControlAsync(HttpMethod.Post, "/_sandbox/clock/advance", $"{{\"seconds\":{seconds}}}");

    [Fact]
    public async Task Every_change_of_a_clock_advance_arrives_signed_as_the_order_the_api_serves_with_qtickets_headers()
    {
        using var hook = new Recorder();
        await using var s = await Sandbox.StartAsync(o => { o.Seed = 3; o.Orders = 400; o.RatePerHour = 120; });
        await Configure(s, $"{{\"url\":\"{hook.Url}\",\"secret\":\"{Secret}\"}}");
        var advance = await Advance(s, 3600);
        var stats = await Flush(s);

        var all = hook.All.ToList();
        Assert.True(advance.GetProperty("created").GetInt32() > 0 && advance.GetProperty("paid").GetInt32() > 0, advance.ToString());
        Assert.Equal(all.Count, stats.GetProperty("delivered").GetInt64());
        Assert.All(all, r =>
        {
            Assert.True(r.SignatureValid, $"signature {r.Signature} does not verify");
            Assert.Equal("Order", r.Model);
            Assert.Equal("Qtickets-Webhooks/2.0", r.Agent);
            Assert.Contains(r.EventType, new[] { "created", "payed", "deleted", "refunded" });
        });
        Assert.Equal(advance.GetProperty("created").GetInt32(), all.Count(r => r.EventType == "created"));
        Assert.Equal(advance.GetProperty("paid").GetInt32(), all.Count(r => r.EventType == "payed"));
        // The body is the order as /orders/{id} serves it at the end of the advance.
        var paid = all.First(r => r.EventType == "payed");
        var byId = await s.GetJsonAsync($"/orders/{paid.OrderId}");
        Assert.Equal(byId.GetProperty("data").GetRawText(), Encoding.UTF8.GetString(paid.Body));
        Assert.True(JsonDocument.Parse(paid.Body).RootElement.GetProperty("payed").GetBoolean());
    }

    [Fact]
    public async Task A_delivery_not_answered_200_is_retried_ten_times_n_cubed_virtual_seconds_apart_then_dropped()
    {
        using var hook = new Recorder { Answer = r => r.EventType == "checked" ? 503 : 200 };
        await using var s = await Sandbox.StartAsync(o => { o.Seed = 4; o.Orders = 200; o.RatePerHour = 0.001; });
        await Configure(s, $"{{\"url\":\"{hook.Url}\",\"secret\":\"{Secret}\"}}");
        var orderId = (await s.AllOrdersAsync())[0].GetProperty("id").GetInt64();
        await s.ControlAsync(HttpMethod.Post, "/_sandbox/webhooks/send", $"{{\"order_id\":{orderId},\"event\":\"checked\"}}");
        await Flush(s);
        int Checked() => hook.All.Count(r => r.EventType == "checked");
        Assert.Equal(1, Checked());
        for (var n = 1; n <= 10; n++)
        {
            if (n > 1)
            {
                await Advance(s, n * n * n - 1);
                await Flush(s);
                Assert.True(Checked() == n, $"retry {n} came before {n}³ s");
            }
            await Advance(s, 1);
            await Flush(s);
            Assert.True(Checked() == n + 1, $"retry {n} did not come {n}³ s after the failure ({Checked()} attempts)");
        }
        var stats = await s.ControlAsync(HttpMethod.Get, "/_sandbox/webhooks");
        Assert.Equal(1, stats.GetProperty("dead").GetInt64());
        Assert.Equal(11, hook.All.Count(r => r.EventType == "checked" && r.OrderId == orderId));
        await Advance(s, 86400);
        await Flush(s);
        Assert.Equal(11, Checked());
    }

    [Fact]
    public async Task Misbehaviour_duplicates_every_delivery_and_sends_tampered_copies_the_receiver_must_refuse()
    {
        using var hook = new Recorder();
        await using var s = await Sandbox.StartAsync(o => { o.Seed = 5; o.Orders = 300; o.RatePerHour = 60; });
        await Configure(s, $"{{\"url\":\"{hook.Url}\",\"secret\":\"{Secret}\",\"duplicates\":true,\"forgeEvery\":3}}");
        await Advance(s, 3600);
        var stats = await Flush(s);
        // Duplicates and tampered copies go out after their delivery, and a copy's answer is counted after the receiver
        // has seen it: wait until the counters and what the receiver recorded agree, or give up after 10 s.
        bool Settled(JsonElement st) =>
            st.GetProperty("duplicatesSent").GetInt64() == st.GetProperty("delivered").GetInt64() &&
            st.GetProperty("forgedRefused").GetInt64() + st.GetProperty("forgedAccepted").GetInt64() == st.GetProperty("forgedSent").GetInt64() &&
            hook.All.Count(r => r.SignatureValid) == 2 * st.GetProperty("delivered").GetInt64() &&
            hook.All.Count(r => !r.SignatureValid) == st.GetProperty("forgedSent").GetInt64();
        for (var i = 0; i < 200 && !Settled(stats); i++)
        {
            await Task.Delay(50);
            stats = await s.ControlAsync(HttpMethod.Get, "/_sandbox/webhooks");
        }
        var delivered = stats.GetProperty("delivered").GetInt64();
        Assert.True(delivered > 3);
        Assert.Equal(delivered, stats.GetProperty("duplicatesSent").GetInt64());
        var forged = stats.GetProperty("forgedSent").GetInt64();
        Assert.True(forged >= delivered / 3 - 1 && forged > 0, $"{forged} tampered of {delivered}");
        Assert.Equal(forged, stats.GetProperty("forgedRefused").GetInt64());
        Assert.Equal(0, stats.GetProperty("forgedAccepted").GetInt64());
        var valid = hook.All.Where(r => r.SignatureValid).ToList();
        Assert.Equal(2 * delivered, valid.Count);
        Assert.All(valid.GroupBy(r => Convert.ToHexString(r.Body) + r.EventType), g => Assert.True(g.Count() % 2 == 0));
        Assert.Equal(forged, hook.All.Count(r => !r.SignatureValid));
    }

    [Fact]
    public async Task Held_deliveries_pile_up_and_reordered_ones_arrive_newest_first()
    {
        using var hook = new Recorder();
        await using var s = await Sandbox.StartAsync(o => { o.Seed = 6; o.Orders = 200; o.RatePerHour = 0.001; });
        await Configure(s, $"{{\"url\":\"{hook.Url}\",\"secret\":\"{Secret}\",\"hold\":true}}");
        var orderId = (await s.AllOrdersAsync())[0].GetProperty("id").GetInt64();
        foreach (var kind in new[] { "created", "updated", "checked" })
            await s.ControlAsync(HttpMethod.Post, "/_sandbox/webhooks/send", $"{{\"order_id\":{orderId},\"event\":\"{kind}\"}}");
        await Flush(s);
        Assert.Empty(hook.All);
        Assert.Equal(3, (await s.ControlAsync(HttpMethod.Get, "/_sandbox/webhooks")).GetProperty("pending").GetInt64());
        await Configure(s, "{\"hold\":false,\"reorder\":true}");
        await Flush(s);
        Assert.Equal(new[] { "checked", "updated", "created" }, hook.All.Select(r => r.EventType).ToArray());
    }
}
