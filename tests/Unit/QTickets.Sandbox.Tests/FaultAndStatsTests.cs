using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace QTickets.Sandbox.Tests;

public class FaultAndStatsTests
{
    private static async Task<Sandbox> Start() => await Sandbox.StartAsync(o => { o.Seed = 2; o.Orders = 300; });

    [Fact]
    public async Task Next_n_requests_to_a_path_get_503_then_recover_and_control_is_never_faulted()
    {
        await using var s = await Start();
        await s.ControlAsync(HttpMethod.Post, "/_sandbox/faults", "{\"rules\":[{\"type\":\"503\",\"path\":\"/orders\",\"count\":3}]}");
        var ev = await s.GetAsync("/events");
        Assert.Equal(200, ev.Status); // other paths untouched
        for (var i = 0; i < 3; i++)
        {
            var (status, body, _) = await s.GetAsync("/orders");
            Assert.Equal(503, status);
            Assert.Equal("{\"error\":\"Unknown error\",\"status\":503,\"code\":\"UNKNOWN_ERROR\",\"info\":[]}", body);
            await s.ControlAsync(HttpMethod.Get, "/_sandbox/stats"); // control endpoints are not faulted nor counted
        }
        Assert.Equal(200, (await s.GetAsync("/orders")).Status);

        var stats = await s.ControlAsync(HttpMethod.Get, "/_sandbox/stats");
        Assert.Equal(5, stats.GetProperty("total").GetInt32());
        Assert.Equal(4, stats.GetProperty("byPath").GetProperty("/orders").GetInt32());
        Assert.Equal(3, stats.GetProperty("byPathStatus").GetProperty("/orders").GetProperty("503").GetInt32());
        Assert.Equal(2, stats.GetProperty("byStatus").GetProperty("200").GetInt32());
        Assert.Equal(3, stats.GetProperty("faults").GetProperty("503").GetInt32());

        await s.ControlAsync(HttpMethod.Delete, "/_sandbox/stats");
        Assert.Equal(0, (await s.ControlAsync(HttpMethod.Get, "/_sandbox/stats")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Rate_limit_429_with_retry_after_in_seconds_and_as_http_date()
    {
        await using var s = await Start();
        await s.ControlAsync(HttpMethod.Post, "/_sandbox/faults", "{\"rules\":[{\"type\":\"429\",\"count\":1,\"retryAfter\":2},{\"type\":\"429\",\"count\":1,\"retryAfter\":3,\"retryAfterFormat\":\"date\"}]}");
        var (s1, _, r1) = await s.GetAsync("/orders");
        Assert.Equal(429, s1);
        Assert.Equal(TimeSpan.FromSeconds(2), r1.Headers.RetryAfter!.Delta);
        var (s2, _, r2) = await s.GetAsync("/orders");
        Assert.Equal(429, s2);
        Assert.NotNull(r2.Headers.RetryAfter!.Date);
        Assert.InRange(r2.Headers.RetryAfter.Date!.Value - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(0), TimeSpan.FromSeconds(5));
        Assert.Equal(200, (await s.GetAsync("/orders")).Status);
    }

    [Fact]
    public async Task Connection_reset_mid_body()
    {
        await using var s = await Start();
        await s.ControlAsync(HttpMethod.Post, "/_sandbox/faults", "{\"rules\":[{\"type\":\"reset\",\"path\":\"/orders\",\"count\":1,\"fraction\":0.3}]}");
        var ex = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            var resp = await s.Http.SendAsync(s.Req(HttpMethod.Get, "/orders"));
            await resp.Content.ReadAsByteArrayAsync();
        });
        Assert.True(ex is HttpRequestException or IOException, ex.ToString());
        Assert.Equal(200, (await s.GetAsync("/orders")).Status);
        var stats = await s.ControlAsync(HttpMethod.Get, "/_sandbox/stats");
        Assert.Equal(1, stats.GetProperty("byStatus").GetProperty("reset").GetInt32());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Truncated_json_is_a_well_terminated_200(bool contentLength)
    {
        await using var s = await Start();
        var full = (await s.GetAsync("/orders")).Body;
        await s.ControlAsync(HttpMethod.Post, "/_sandbox/faults", $"{{\"rules\":[{{\"type\":\"truncate\",\"count\":1,\"bytes\":1000,\"contentLength\":{(contentLength ? "true" : "false")}}}]}}");
        var (status, body, resp) = await s.GetAsync("/orders");
        Assert.Equal(200, status);
        Assert.Equal(1000, Encoding.UTF8.GetByteCount(body));
        Assert.StartsWith(body, full);
        if (contentLength) Assert.Equal(1000, resp.Content.Headers.ContentLength);
        else Assert.True(resp.Headers.TransferEncodingChunked);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(body));
    }

    [Fact]
    public async Task Nginx_502_page_and_latency()
    {
        await using var s = await Start();
        await s.ControlAsync(HttpMethod.Post, "/_sandbox/faults", "{\"latency\":{\"minMs\":120,\"maxMs\":150},\"rules\":[{\"type\":\"502\",\"count\":1}]}");
        var sw = Stopwatch.StartNew();
        var (status, body, resp) = await s.GetAsync("/clients");
        Assert.True(sw.ElapsedMilliseconds >= 110, sw.ElapsedMilliseconds.ToString());
        Assert.Equal(502, status);
        Assert.StartsWith("text/html", resp.Content.Headers.ContentType!.ToString());
        Assert.Contains("<center><h1>502 Bad Gateway</h1></center>", body);
        Assert.Contains("nginx/1.14.1", body);
        sw.Restart();
        Assert.Equal(200, (await s.GetAsync("/clients")).Status);
        Assert.True(sw.ElapsedMilliseconds >= 110);
        await s.ControlAsync(HttpMethod.Delete, "/_sandbox/faults");
        sw.Restart();
        Assert.Equal(200, (await s.GetAsync("/clients")).Status);
        Assert.True(sw.ElapsedMilliseconds < 110);
    }

    [Fact]
    public async Task Outage_phases_stable_then_intermittent_then_down_then_back()
    {
        await using var s = await Start();
        await s.ControlAsync(HttpMethod.Post, "/_sandbox/faults", "{\"seed\":1,\"phases\":[{\"mode\":\"stable\",\"requests\":5},{\"mode\":\"intermittent\",\"p\":0.5,\"requests\":40},{\"mode\":\"down\",\"requests\":5},{\"mode\":\"stable\"}]}");
        var codes = new List<int>();
        for (var i = 0; i < 55; i++) codes.Add((await s.GetAsync("/events")).Status);
        Assert.All(codes.Take(5), c => Assert.Equal(200, c));
        var mid = codes.Skip(5).Take(40).ToList();
        Assert.InRange(mid.Count(c => c == 503), 8, 32);
        Assert.All(codes.Skip(45).Take(5), c => Assert.Equal(503, c));
        Assert.All(codes.Skip(50), c => Assert.Equal(200, c));
    }

    [Fact]
    public async Task Fault_profile_at_start_and_skip_option()
    {
        await using var s = await Sandbox.StartAsync(o => { o.Orders = 100; o.Faults = "{\"rules\":[{\"type\":\"503\",\"path\":\"/orders\",\"skip\":2,\"count\":1}]}"; });
        var got = new List<int>();
        for (var i = 0; i < 4; i++) got.Add((await s.GetAsync("/orders")).Status);
        Assert.Equal(new List<int> { 200, 200, 503, 200 }, got);
        await using var down = await Sandbox.StartAsync(o => { o.Orders = 100; o.Faults = "down"; });
        Assert.Equal(503, (await down.GetAsync("/events")).Status);
        Assert.Equal(200, (await down.ControlAsync(HttpMethod.Get, "/_sandbox/health")).GetProperty("ok").GetBoolean() ? 200 : 0);
    }

    [Fact]
    public async Task Runs_as_a_process_on_port_0_prints_the_url_first_and_exits_on_sigterm()
    {
        var dll = typeof(QTickets.Sandbox.Server.SandboxServer).Assembly.Location;
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { dll, "--port", "0", "--orders", "500", "--token", "tkn-1" }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        try
        {
            var sw = Stopwatch.StartNew();
            var lineTask = p.StandardOutput.ReadLineAsync();
            Assert.True(await Task.WhenAny(lineTask, Task.Delay(15000)) == lineTask, "no URL line");
            var line = await lineTask;
            Assert.Matches(@"^QTickets sandbox listening on http://127\.0\.0\.1:\d+/api/rest/v1$", line);
            var url = line!.Split(' ').Last();
            using var http = new HttpClient();
            var req = new HttpRequestMessage(HttpMethod.Get, url + "/orders");
            req.Headers.Authorization = new("Bearer", "tkn-1");
            Assert.Equal(200, (int)(await http.SendAsync(req)).StatusCode);
            using (var kill = Process.Start("kill", ["-TERM", p.Id.ToString()])) kill.WaitForExit();
            using var cts = new CancellationTokenSource(10000);
            await p.WaitForExitAsync(cts.Token);
            Assert.Equal(0, p.ExitCode);
        }
        finally
        {
            if (!p.HasExited) p.Kill();
        }
    }
}
