using System.Collections;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using QTickets.Module.Tests.Harness;
using QTickets.Tests.Shared;

namespace QTickets.Module.Tests.Load;

/// <summary>A small sandbox and a database with the schema; no load before the tests.</summary>
public sealed class GuardRig : IDisposable
{
    public LoadRig Rig { get; } = new("--seed", "31", "--orders", "60", "--history-days", "3");

    public void Dispose() => Rig.Dispose();
}

/// <summary>
/// Mistakes that must stop a run before any request with their own exit code and a reason on the stdout line
/// (configuration: 2; a lock that cannot be taken: 9), and personal data planted in every free-text field of the
/// orders found in no String column of any table after a load.
/// </summary>
[Collection("Load end-to-end")]
public sealed class GuardTests(GuardRig fixture) : IClassFixture<GuardRig>
{
    readonly LoadRig _rig = fixture.Rig;

    /// <summary>Every API request the sandbox answered so far (an empty stats map comes as []).</summary>
    async Task<long> ApiRequestsAsync()
    {
        var byPath = (await _rig.Sandbox.StatsAsync()).GetProperty("byPathStatus");
        return byPath.ValueKind != JsonValueKind.Object ? 0
            : byPath.EnumerateObject().Sum(route => route.Value.EnumerateObject().Sum(s => s.Value.GetInt64()));
    }

    string EnvWith(string name, params (string Key, string Value)[] changes)
    {
        var lines = File.ReadAllLines(_rig.EnvFile).ToList();
        foreach (var (key, value) in changes)
        {
            lines.RemoveAll(l => l.StartsWith(key + "=", StringComparison.Ordinal));
            lines.Add($"{key}={value}");
        }
        var path = Path.Combine(_rig.Dir, name);
        File.WriteAllText(path, string.Join("\n", lines) + "\n", new UTF8Encoding(false));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    /// <summary>The script's run: exit code as expected, two lines, nothing asked of the API, no job run recorded.</summary>
    async Task<JsonElement> RefusedBeforeAnyRequestAsync(string envFile, int exitCode)
    {
        var requests = await ApiRequestsAsync();
        var runs = _rig.Ch.Count($"SELECT count() FROM {_rig.Db}.meta_job_runs");
        var r = await _rig.ScriptAsync(envFile);
        Assert.True(r.ExitCode == exitCode, r.ToString());
        var json = LoadRig.TwoLines(r.StdOut, exitCode);
        Assert.False(string.IsNullOrWhiteSpace(json.GetProperty("message").GetString()), r.ToString());
        Assert.Equal(requests, await ApiRequestsAsync());
        Assert.Equal(runs, _rig.Ch.Count($"SELECT count() FROM {_rig.Db}.meta_job_runs"));
        return json;
    }

    [Fact]
    public async Task A_url_where_the_ClickHouse_host_belongs_exits_2_naming_the_variable_and_the_values_to_set()
    {
        var env = EnvWith("url-host.env", ("CLICKHOUSE_HOST", $"http://{_rig.Ch.Host}:{_rig.Ch.Port}"));
        var json = await RefusedBeforeAnyRequestAsync(env, 2);
        Assert.Equal("ConfigError", json.GetProperty("error_kind").GetString());
        Assert.Contains($"CLICKHOUSE_HOST (from {env}) must be a host name or IP address, not a URL", json.GetProperty("message").GetString());
        Assert.Contains($"Set CLICKHOUSE_HOST={_rig.Ch.Host} and CLICKHOUSE_PORT={_rig.Ch.Port}.", json.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_token_with_a_zero_width_space_exits_2_at_once_without_a_request()
    {
        var token = _rig.Sandbox.Token.Insert(4, "\u200B");
        var env = EnvWith("zwsp-token.env", ("QTICKETS_TOKEN", token));
        var started = DateTime.UtcNow;
        var json = await RefusedBeforeAnyRequestAsync(env, 2);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(60), "a configuration error is not retried");
        Assert.Contains("QTICKETS_TOKEN", json.GetProperty("message").GetString());
        Assert.Contains("an invisible character (U+200B) at position 5", json.GetProperty("message").GetString());
        Assert.DoesNotContain(_rig.Sandbox.Token[4..], json.GetRawText());
    }

    [Fact]
    public async Task Plain_http_to_a_ClickHouse_on_another_machine_exits_2_with_the_ways_out()
    {
        // 192.0.2.0/24 is reserved for documentation: nothing answers there, and nothing is asked.
        var env = EnvWith("remote-http.env", ("CLICKHOUSE_HOST", "192.0.2.10"));
        var json = await RefusedBeforeAnyRequestAsync(env, 2);
        var message = json.GetProperty("message").GetString()!;
        Assert.Contains("CLICKHOUSE_HOST", message);
        Assert.Contains("CLICKHOUSE_SECURE=true", message);
        Assert.Contains("CLICKHOUSE_ALLOW_PLAIN_HTTP=true", message);
    }

    [Fact]
    public async Task A_web_server_on_the_ClickHouse_port_exits_2_not_a_ClickHouse_server_before_any_API_request()
    {
        using var web = new HtmlServer();
        var env = EnvWith("html-port.env", ("CLICKHOUSE_PORT", web.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var json = await RefusedBeforeAnyRequestAsync(env, 2);
        Assert.Equal("NotClickHouse", json.GetProperty("error_kind").GetString());
        var message = json.GetProperty("message").GetString()!;
        Assert.StartsWith($"http://{_rig.Ch.Host}:{web.Port} is not a ClickHouse server: it answered with an HTML page titled '404 Not Found'.", message);
        Assert.Contains("CLICKHOUSE_PORT", message);
        Assert.DoesNotContain("<!DOCTYPE", message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_lock_folder_that_cannot_hold_the_lock_exits_8_a_failure_naming_the_lock_not_4()
    {
        // The temp folder is a path under a regular file: no lock file can be created there (like a read-only or
        // missing folder). systemd counts 4 as success, so this must not be 4.
        var file = Path.Combine(_rig.Dir, "not-a-folder");
        File.WriteAllText(file, "");
        var tmp = Path.Combine(file, "tmp");
        var now = await _rig.NowAsync();
        var requests = await ApiRequestsAsync();
        var env = new Dictionary<string, string>(LoadRig.CleanEnv) { ["TMPDIR"] = tmp, ["XDG_RUNTIME_DIR"] = "" };
        var r = ScriptRunner.Run(LoadRig.LoaderArgs(_rig.EnvFile, now, []), env, TimeSpan.FromMinutes(3));
        _rig.Record(r.StdOut, r.StdErr);
        Assert.True(r.ExitCode == 9, r.ToString());
        var json = LoadRig.TwoLines(r.StdOut, 9);
        Assert.Equal("LockFailed", json.GetProperty("error_kind").GetString());
        Assert.Equal("error", json.GetProperty("status").GetString());
        var message = json.GetProperty("message").GetString()!;
        Assert.StartsWith($"The run lock {tmp}/qtickets-qtickets_api-{_rig.Db}-", message);
        Assert.Contains("-LockPath", message);
        Assert.Equal(requests, await ApiRequestsAsync());

        // The same from a session, with -LockPath in a folder that does not exist.
        var missing = Path.Combine(_rig.Dir, "no-such-folder", "run.lock");
        var run = _rig.Session.Run("Invoke-QTicketsLoad -EnvFile $envFile -Now $now -LockPath $lock",
            new Hashtable { ["envFile"] = _rig.EnvFile, ["now"] = DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture), ["lock"] = missing });
        _rig.Record(run.AllText());
        Assert.True(run.Output.Count == 1, run.AllText());
        var summary = run.Output[0];
        Assert.Equal(9, (int)summary.Properties["ExitCode"].Value);
        Assert.StartsWith($"The run lock {missing} could not be taken", (string)summary.Properties["Message"].Value);
        Assert.Equal("QTickets.Load.LockFailed", Assert.Single(run.Errors).FullyQualifiedErrorId.Split(',')[0]);
    }

    [Fact]
    public void Personal_data_in_every_free_text_field_reaches_no_String_column_of_any_table()
    {
        var dir = Path.Combine(_rig.Dir, "planted");
        Directory.CreateDirectory(dir);
        File.Copy(Fixtures.PathOf("events_page1.json"), Path.Combine(dir, "events.json"));
        File.WriteAllText(Path.Combine(dir, "orders.json"), new System.Text.Json.Nodes.JsonObject { ["data"] = PersonalDataProbe.Orders() }.ToJsonString());

        var run = _rig.Session.Run("Invoke-QTicketsLoad -EnvFile $envFile -OfflineFixturesDir $dir -Now $now",
            new Hashtable { ["envFile"] = _rig.EnvFile, ["dir"] = dir, ["now"] = new DateTimeOffset(2021, 6, 1, 0, 0, 0, TimeSpan.Zero) });
        Assert.True(run.Terminating is null && run.Errors.Count == 0, run.AllText());
        var summary = Assert.Single(run.Output);
        Assert.Equal("ok", summary.Properties["StatusText"].Value);
        Assert.True((int)summary.Properties["SalesRows"].Value > 0, run.AllText());
        foreach (var needle in PersonalDataProbe.Needles)
            Assert.DoesNotContain(needle, run.AllText(), StringComparison.OrdinalIgnoreCase);

        // The payloads and the utm columns were written, masked: the scan below looks where the data went.
        Assert.True(_rig.Ch.Count($"SELECT count() FROM {_rig.Db}.stg_qtickets_api_orders_raw WHERE utm_source = '***' AND payload_json LIKE '%custom%'") > 0);

        var columns = _rig.Ch.Admin(
            $"SELECT table, name FROM system.columns WHERE database = '{_rig.Db}' AND type LIKE '%String%' ORDER BY table, name")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToList();
        Assert.Contains(columns, c => c[0] == "stg_qtickets_api_orders_raw" && c[1] == "payload_json");
        Assert.Contains(columns, c => c[0] == "meta_job_runs");
        var needles = "[" + string.Join(", ", PersonalDataProbe.Needles.Select(n => "'" + n.Replace("'", "\\'", StringComparison.Ordinal) + "'")) + "]";
        var found = new List<string>();
        foreach (var c in columns)
        {
            var hits = _rig.Ch.Admin(
                $"SELECT toString(`{c[1]}`) FROM {_rig.Db}.`{c[0]}` WHERE multiSearchAnyCaseInsensitiveUTF8(toString(`{c[1]}`), {needles}) LIMIT 1");
            if (hits.Length > 0) found.Add($"{c[0]}.{c[1]}: {hits}");
        }
        Assert.True(found.Count == 0, "personal data in ClickHouse:\n" + string.Join("\n", found));
    }

    /// <summary>A web server's 404 page on every request (something else on the configured port).</summary>
    sealed class HtmlServer : IDisposable
    {
        readonly HttpListener _listener = new();
        readonly int _port;

        public HtmlServer()
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            _port = ((IPEndPoint)l.LocalEndpoint).Port;
            l.Stop();
            _listener.Prefixes.Add($"http://127.0.0.1:{_port}/");
            _listener.Start();
            _ = Task.Run(async () =>
            {
                var page = Encoding.UTF8.GetBytes("<!DOCTYPE html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>");
                while (_listener.IsListening)
                {
                    HttpListenerContext context;
                    try { context = await _listener.GetContextAsync(); }
                    catch (Exception) { return; }
                    context.Response.StatusCode = 404;
                    context.Response.ContentType = "text/html";
                    await context.Response.OutputStream.WriteAsync(page);
                    context.Response.Close();
                }
            });
        }

        public int Port => _port;

        public void Dispose() => _listener.Close();
    }
}
