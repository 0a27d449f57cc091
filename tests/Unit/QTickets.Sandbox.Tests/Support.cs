using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using QTickets.Sandbox.Server;

namespace QTickets.Sandbox.Tests;

internal static class Fixtures
{
    /// <summary>The genuine captures in tests/fixtures (or $QTICKETS_FIXTURES_DIR): one definition, in tests/Unit/Shared.</summary>
    public static string Dir => QTickets.Tests.Shared.Fixtures.Dir;

    public static byte[] Bytes(string name) => File.ReadAllBytes(Path.Combine(Dir, name));

    /// <summary>The raw "data" value of a captured page, sliced out of the file bytes (no re-serialisation).</summary>
    public static string DataSlice(string json)
    {
        Assert.StartsWith("{\"data\":", json);
        var end = json.LastIndexOf(",\"paging\":", StringComparison.Ordinal);
        return end < 0 ? json["{\"data\":".Length..^1] : json["{\"data\":".Length..end];
    }

    public static JsonElement ErrorCapture(Func<string, bool> what)
    {
        using var doc = JsonDocument.Parse(Bytes("errors.json"));
        return doc.RootElement.EnumerateArray().First(e => what(e.GetProperty("what").GetString()!)).Clone();
    }
}

/// <summary>An in-process sandbox on a free port plus a client for it.</summary>
public sealed class Sandbox : IAsyncDisposable
{
    public SandboxServer Server { get; }
    public HttpClient Http { get; }
    public string Base => Server.BaseUrl;
    public string Root => Server.RootUrl;

    private Sandbox(SandboxServer s)
    {
        Server = s;
        Http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30) }) { Timeout = TimeSpan.FromSeconds(20) };
    }

    public static async Task<Sandbox> StartAsync(Action<SandboxOptions>? configure = null)
    {
        var o = new SandboxOptions { Port = 0, Token = SandboxOptions.DefaultToken };
        configure?.Invoke(o);
        return new Sandbox(await SandboxServer.StartAsync(o));
    }

    public HttpRequestMessage Req(HttpMethod m, string rel, string? jsonBody = null, string? token = SandboxOptions.DefaultToken)
    {
        var r = new HttpRequestMessage(m, Base + rel);
        if (token is not null) r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        r.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (jsonBody is not null) r.Content = new StringContent(jsonBody, Encoding.UTF8, "application/json");
        return r;
    }

    public async Task<(int Status, string Body, HttpResponseMessage Resp)> SendAsync(HttpMethod m, string rel, string? jsonBody = null, string? token = SandboxOptions.DefaultToken)
    {
        var resp = await Http.SendAsync(Req(m, rel, jsonBody, token));
        var body = await resp.Content.ReadAsStringAsync();
        return ((int)resp.StatusCode, body, resp);
    }

    public Task<(int Status, string Body, HttpResponseMessage Resp)> GetAsync(string rel, string? jsonBody = null) => SendAsync(HttpMethod.Get, rel, jsonBody);

    public async Task<JsonElement> GetJsonAsync(string rel, string? jsonBody = null)
    {
        var (status, body, _) = await GetAsync(rel, jsonBody);
        Assert.True(status == 200, $"{rel} -> {status}: {body[..Math.Min(300, body.Length)]}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public async Task<JsonElement> ControlAsync(HttpMethod m, string path, string? json = null)
    {
        var r = new HttpRequestMessage(m, Root + path);
        if (json is not null) r.Content = new StringContent(json, Encoding.UTF8, "application/json");
        var resp = await Http.SendAsync(r);
        var body = await resp.Content.ReadAsStringAsync();
        Assert.True(resp.IsSuccessStatusCode, $"{m} {path} -> {(int)resp.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>All orders through the API (pages of 1000, GET + JSON body).</summary>
    public async Task<List<JsonElement>> AllOrdersAsync(string whereJson = "[]")
    {
        var all = new List<JsonElement>();
        for (var page = 1; ; page++)
        {
            var j = await GetJsonAsync("/orders", $"{{\"where\":{whereJson},\"orderBy\":{{\"id\":\"asc\"}},\"per_page\":1000,\"page\":{page}}}");
            var data = j.GetProperty("data").EnumerateArray().ToList();
            all.AddRange(data);
            if (data.Count < 1000) break;
        }
        return all;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>One generated sandbox shared by read-only tests (never advanced, never faulted).</summary>
public sealed class GeneratedSandboxFixture : IAsyncLifetime
{
    public Sandbox S { get; private set; } = null!;
    public async Task InitializeAsync() => S = await Sandbox.StartAsync(o => { o.Seed = 7; o.Orders = 3000; });
    public async Task DisposeAsync() => await S.DisposeAsync();
}

public sealed class FixtureSandboxFixture : IAsyncLifetime
{
    public Sandbox S { get; private set; } = null!;
    public async Task InitializeAsync() => S = await Sandbox.StartAsync(o =>
    {
        o.FixturesDir = Fixtures.Dir;
        o.TotalOverrides["orders"] = 123183;
    });
    public async Task DisposeAsync() => await S.DisposeAsync();
}
