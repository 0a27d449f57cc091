using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace QTickets.Tests.Shared;

/// <summary>
/// The QTickets API sandbox as a child process (out/sandbox/QTickets.Sandbox.dll, laid out by ./build.sh build),
/// started on a free port with its own random token, plus its control endpoints (clock, faults, stats, truth).
///
/// A crashed test run must not leave it behind: on Linux it runs under a small shell watchdog that kills it
/// as soon as this test process is gone (even after SIGKILL, which no finalizer or ProcessExit handler
/// survives); the sandbox itself has no --owner-pid option. Dispose and ProcessExit kill it at once.
/// </summary>
public sealed class SandboxProcess : IDisposable
{
    readonly Process _process;
    readonly HttpClient _control = new() { Timeout = TimeSpan.FromSeconds(60) };
    int _disposed;

    SandboxProcess(Process process, string baseUrl, string token)
    {
        _process = process;
        BaseUrl = baseUrl;
        Token = token;
        RootUrl = baseUrl[..baseUrl.IndexOf("/api/", StringComparison.Ordinal)];
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    /// <summary>e.g. http://127.0.0.1:41234/api/rest/v1</summary>
    public string BaseUrl { get; }

    /// <summary>e.g. http://127.0.0.1:41234 (control endpoints live under /_sandbox/).</summary>
    public string RootUrl { get; }

    /// <summary>The bearer token this sandbox accepts (random per instance, so tests can scan output for it).</summary>
    public string Token { get; }

    public static string SandboxDll => Path.Combine(Fixtures.RepoRoot, "out", "sandbox", "QTickets.Sandbox.dll");

    /// <summary>Starts a sandbox; <paramref name="args"/> are its CLI options (--seed, --orders, --now, --faults, --fixtures ...).</summary>
    public static SandboxProcess Start(params string[] args)
    {
        if (!File.Exists(SandboxDll))
            throw new InvalidOperationException($"{SandboxDll} is missing: run './build.sh build' before these tests.");
        var token = "qt-sbx-" + Guid.NewGuid().ToString("N");
        var sandboxArgs = new List<string> { SandboxDll, "--port", "0", "--token", token };
        sandboxArgs.AddRange(args);

        var info = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        if (OperatingSystem.IsWindows())
        {
            info.FileName = "dotnet";
            foreach (var a in sandboxArgs) info.ArgumentList.Add(a);
        }
        else
        {
            // sh starts the sandbox, then polls this process; when we are gone it kills the sandbox and exits.
            var owner = Environment.ProcessId;
            info.FileName = "/bin/sh";
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add(
                "dotnet \"$@\" & child=$!; " +
                "trap 'kill $child 2>/dev/null; exit 0' TERM INT; " +
                $"while kill -0 {owner} 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 0.5; done; " +
                "kill $child 2>/dev/null; wait $child 2>/dev/null");
            info.ArgumentList.Add("sandbox-watchdog");
            foreach (var a in sandboxArgs) info.ArgumentList.Add(a);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the sandbox.");
        var stderr = new StringBuilder();
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginErrorReadLine();

        var firstLine = process.StandardOutput.ReadLineAsync();
        if (!firstLine.Wait(TimeSpan.FromSeconds(60)) || firstLine.Result is null)
        {
            Kill(process);
            string err;
            lock (stderr) err = stderr.ToString().Replace(token, "<token>");
            throw new InvalidOperationException($"The sandbox did not report its URL within 60 s. Its stderr:\n{err}");
        }
        const string prefix = "QTickets sandbox listening on ";
        var line = firstLine.Result;
        if (!line.StartsWith(prefix, StringComparison.Ordinal))
        {
            Kill(process);
            throw new InvalidOperationException($"Unexpected first line from the sandbox: {line}");
        }
        // Keep draining stdout so the sandbox never blocks on a full pipe.
        _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        var server = new SandboxProcess(process, line[prefix.Length..].Trim().TrimEnd('/'), token);
        return server;
    }

    /// <summary>Moves the virtual clock: new orders, payments, refunds, cancellations happen. Returns the sandbox's summary.</summary>
    public Task<JsonElement> AdvanceClockAsync(TimeSpan by) =>
        ControlAsync(HttpMethod.Post, "/_sandbox/clock/advance", $"{{\"seconds\":{(long)by.TotalSeconds}}}");

    public Task<JsonElement> ClockAsync() => ControlAsync(HttpMethod.Get, "/_sandbox/clock");

    /// <summary>What the sandbox serves: mode, clock and the size of every resource (orders, events, discounts, ...).</summary>
    public Task<JsonElement> InfoAsync() => ControlAsync(HttpMethod.Get, "/_sandbox/info");

    /// <summary>Replaces the fault spec: a profile name (slow, flaky, outage, down, ratelimit) or a JSON spec.</summary>
    public Task<JsonElement> SetFaultsAsync(string spec) =>
        ControlAsync(HttpMethod.Post, "/_sandbox/faults", spec.TrimStart().StartsWith('{') ? spec : JsonSerializer.Serialize(spec));

    public Task<JsonElement> ClearFaultsAsync() => ControlAsync(HttpMethod.Delete, "/_sandbox/faults");

    /// <summary>Replaces the lies (wrong answers on purpose: unreadable values, hidden events; see the sandbox's --help).</summary>
    public Task<JsonElement> SetLiesAsync(string json) => ControlAsync(HttpMethod.Post, "/_sandbox/lies", json);

    public Task<JsonElement> ClearLiesAsync() => ControlAsync(HttpMethod.Delete, "/_sandbox/lies");

    /// <summary>Requests served: total, byPath, byStatus, byPathStatus ("/orders" → {"200": n, "503": m}), faults.</summary>
    public Task<JsonElement> StatsAsync() => ControlAsync(HttpMethod.Get, "/_sandbox/stats");

    public Task<JsonElement> ResetStatsAsync() => ControlAsync(HttpMethod.Delete, "/_sandbox/stats");

    /// <summary>Ground truth of sales by day and event; <paramref name="query"/> e.g. "from=2026-11-01&amp;to=2026-11-20".</summary>
    public Task<JsonElement> TruthAsync(string query = "") =>
        ControlAsync(HttpMethod.Get, "/_sandbox/truth" + (query.Length > 0 ? "?" + query : ""));

    /// <summary>Requests of one route (e.g. "/orders", "/orders/{id}") answered with one status (e.g. "503"), from <see cref="StatsAsync"/>.</summary>
    public async Task<long> RequestCountAsync(string route, string? status = null)
    {
        var stats = await StatsAsync().ConfigureAwait(false);
        if (!stats.GetProperty("byPathStatus").TryGetProperty(route, out var byStatus)) return 0;
        if (status is not null) return byStatus.TryGetProperty(status, out var n) ? n.GetInt64() : 0;
        return byStatus.EnumerateObject().Sum(p => p.Value.GetInt64());
    }

    /// <summary>A raw GET with a JSON body against the API (test oracles that must not use the client under test).</summary>
    public async Task<JsonElement> GetAsync(string path, string? jsonBody = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, BaseUrl + path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        if (jsonBody is not null) request.Content = new StringContent(jsonBody, Encoding.UTF8, "application/json");
        using var response = await _control.SendAsync(request).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"GET {path} -> {(int)response.StatusCode}: {body[..Math.Min(300, body.Length)]}");
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.Clone();
    }

    /// <summary>Ids of every order matching <paramref name="whereJson"/>, read with pages of 1000 (the oracle for paging tests).</summary>
    public async Task<List<long>> OrderIdsAsync(string whereJson = "[]")
    {
        var ids = new List<long>();
        for (var page = 1; ; page++)
        {
            var json = await GetAsync("/orders", $"{{\"where\":{whereJson},\"orderBy\":{{\"id\":\"asc\"}},\"per_page\":1000,\"page\":{page}}}")
                .ConfigureAwait(false);
            var data = json.GetProperty("data");
            foreach (var o in data.EnumerateArray()) ids.Add(o.GetProperty("id").GetInt64());
            if (data.GetArrayLength() < 1000) return ids;
        }
    }

    async Task<JsonElement> ControlAsync(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, RootUrl + path);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await _control.SendAsync(request).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{method} {path} -> {(int)response.StatusCode}: {body}");
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.Clone();
    }

    void OnProcessExit(object? sender, EventArgs e) => Kill(_process);

    static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) { /* already gone */ }
        catch (System.ComponentModel.Win32Exception) { /* already gone */ }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        Kill(_process);
        _process.WaitForExit(5000);
        _process.Dispose();
        _control.Dispose();
    }
}
