using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using QTickets.Module.Tests.Harness;
using QTickets.Tests.Shared;

namespace QTickets.Module.Tests.Load;

/// <summary>The end-to-end load tests share the machine's 2 cores and time their kills: one class at a time.</summary>
[CollectionDefinition("Load end-to-end", DisableParallelization = true)]
public sealed class LoadEndToEndCollection;

/// <summary>
/// One sandbox (seeded; all its orders within the first backfill), one fresh ClickHouse database with the schema
/// (Initialize-QTicketsClickHouse as the administrator), an env file for the scheduled script, and the oracles:
/// the sandbox's truth against ClickHouse FINAL, the watermark, meta_job_runs, and a scan of everything every run
/// printed for the token and the sandbox customers' personal data.
///
/// The loader runs as the test server's administrator: the server's etl_writer is granted only the database
/// `qtickets` (users.xml, not changeable by SQL), not the fresh database of each test class. That the writer's
/// grants of Initialize-QTicketsClickHouse -Grants suffice for a load was checked on a server configured with
/// exactly those grants (see the issue 6 report).
/// </summary>
public sealed class LoadRig : IDisposable
{
    readonly List<string> _texts = new();
    PowerShellSession? _ps;

    public LoadRig(params string[] sandboxArgs)
    {
        Ch = new TestClickHouse();
        Sandbox = SandboxProcess.Start(sandboxArgs);
        Dir = Directory.CreateTempSubdirectory("qt-load-").FullName;
        EnvFile = WriteEnv("qtickets.env");
        var init = Session.Run("Initialize-QTicketsClickHouse -ClickHouseHost $h -ClickHousePort $p -Database $db -Credential $cred",
            new Hashtable
            {
                ["h"] = Ch.Host, ["p"] = Ch.Port, ["db"] = Ch.Database,
                ["cred"] = new PSCredential(Ch.AdminUser, Secure(Ch.AdminPassword)),
            });
        if (init.Terminating is not null || init.Errors.Count > 0)
            throw new InvalidOperationException("Initialize-QTicketsClickHouse failed: " + (init.Terminating?.Message ?? init.Errors[0].ToString()));
    }

    public TestClickHouse Ch { get; }
    public SandboxProcess Sandbox { get; }
    public string Dir { get; }
    public string EnvFile { get; }
    public string Db => Ch.Database;

    /// <summary>One in-process engine for the runs that need no process of their own.</summary>
    public PowerShellSession Session => _ps ??= new PowerShellSession();

    public static string LoaderScript => Path.Combine(ModuleLayout.RepoRoot, "scripts", "Invoke-QTicketsLoader.ps1");
    public static string FreshnessScript => Path.Combine(ModuleLayout.RepoRoot, "scripts", "Test-QTicketsFreshness.ps1");

    /// <summary>A 0600 env file: the sandbox's token and URL, ClickHouse (port overridable: a proxy, a dead port).</summary>
    public string WriteEnv(string name, int? port = null, string? token = null, bool withToken = true, string? user = null, string? password = null)
    {
        var path = Path.Combine(Dir, name);
        var lines = new List<string>();
        if (withToken) lines.Add("QTICKETS_TOKEN=" + (token ?? Sandbox.Token));
        lines.Add("QTICKETS_BASE_URL=" + Sandbox.BaseUrl);
        lines.Add("CLICKHOUSE_HOST=" + Ch.Host);
        lines.Add("CLICKHOUSE_PORT=" + (port ?? Ch.Port).ToString(CultureInfo.InvariantCulture));
        lines.Add("CLICKHOUSE_DB=" + Db);
        lines.Add("CLICKHOUSE_USER=" + (user ?? Ch.AdminUser));
        lines.Add("CLICKHOUSE_PASSWORD=" + (password ?? Ch.AdminPassword));
        File.WriteAllText(path, string.Join("\n", lines) + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    /// <summary>
    /// The environment of this rig's script runs: no token from the test's own environment, and the rig's folder as
    /// their temp folder, so the lock file they share, and what a killed pwsh leaves (its PSHost pipe), go with the
    /// folder when the rig is disposed.
    /// </summary>
    public Dictionary<string, string> ScriptEnv => new(CleanEnv) { ["TMPDIR"] = Dir, ["XDG_RUNTIME_DIR"] = "" };

    /// <summary>Child processes must not pick a token up from the test's own environment.</summary>
    public static readonly Dictionary<string, string> CleanEnv = new()
    {
        ["QTICKETS_TOKEN"] = "", ["QTICKETS_API_TOKEN"] = "", ["CLICKHOUSE_PASSWORD"] = "", ["DRY_RUN"] = "", ["QTICKETS_DRY_RUN"] = "",
    };

    public async Task<string> NowAsync() => (await Sandbox.ClockAsync()).GetProperty("now").GetString()!;

    /// <summary>Advances the sandbox's clock (new orders, payments, refunds, cancellations) and returns its new now.</summary>
    public async Task<string> AdvanceAsync(TimeSpan by)
    {
        await Sandbox.AdvanceClockAsync(by);
        return await NowAsync();
    }

    /// <summary>scripts/Invoke-QTicketsLoader.ps1 in pwsh, at the sandbox's now.</summary>
    public async Task<ProcessResult> ScriptAsync(string? envFile = null, params string[] extra)
    {
        var now = await NowAsync();
        var r = ScriptRunner.Run(LoaderArgs(envFile ?? EnvFile, now, extra), ScriptEnv, TimeSpan.FromMinutes(3));
        Record(r.StdOut, r.StdErr);
        return r;
    }

    public static List<string> LoaderArgs(string envFile, string now, IEnumerable<string> extra)
    {
        var args = new List<string> { "-File", LoaderScript, "-EnvFile", envFile, "-Now", now };
        args.AddRange(extra);
        return args;
    }

    /// <summary>Starts the script without waiting (kills, concurrency); <see cref="Finish"/> collects it.</summary>
    public Process StartScript(string now, string? envFile = null, params string[] extra)
    {
        var p = Process.Start(ScriptRunner.StartInfo(LoaderArgs(envFile ?? EnvFile, now, extra), ScriptEnv))!;
        p.StandardInput.Close();
        return p;
    }

    public ProcessResult Finish(Process p, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("the loader script did not finish in time");
        }
        p.WaitForExit();
        var r = new ProcessResult(p.ExitCode, stdout.Result, stderr.Result, sw.Elapsed);
        Record(r.StdOut, r.StdErr);
        return r;
    }

    /// <summary>The same script in the in-process engine: its exit code and the lines it output.</summary>
    public (int ExitCode, IReadOnlyList<string> Lines, RunResult Run) InProcess(string now, string? envFile = null, string extra = "")
    {
        var r = Session.Run($"& $script -EnvFile $envFile -Now $now {extra}; \"exit=$LASTEXITCODE\"",
            new Hashtable { ["script"] = LoaderScript, ["envFile"] = envFile ?? EnvFile, ["now"] = now });
        Record(r.AllText());
        if (r.Terminating is not null) throw new InvalidOperationException("the script failed in-process: " + r.Terminating);
        var lines = r.Output.Select(o => o.ToString()).ToList();
        var last = lines[^1];
        Assert.StartsWith("exit=", last);
        return (int.Parse(last[5..], CultureInfo.InvariantCulture), lines.Take(lines.Count - 1).ToList(), r);
    }

    public void Record(params string[] texts)
    {
        lock (_texts) _texts.AddRange(texts);
    }

    // ---------------------------------------------------------------- the run's two lines

    /// <summary>Asserts one human line and one JSON line (and nothing else) and returns the JSON.</summary>
    public static JsonElement TwoLines(string stdout, int exitCode)
    {
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        Assert.True(lines.Count == 2, $"expected a human line and a JSON line, got {lines.Count}:\n{stdout}");
        Assert.StartsWith("qtickets_api ", lines[0]);
        using var doc = JsonDocument.Parse(lines[1]);
        var json = doc.RootElement.Clone();
        Assert.Equal(exitCode, json.GetProperty("exit_code").GetInt32());
        return json;
    }

    // ---------------------------------------------------------------- oracles

    public sealed record Cell(long Tickets, decimal Revenue);

    /// <summary>The sandbox's truth per (Moscow day, event), without all-zero cells.</summary>
    public async Task<SortedDictionary<string, Cell>> TruthAsync()
    {
        var truth = await Sandbox.TruthAsync();
        var cells = new SortedDictionary<string, Cell>(StringComparer.Ordinal);
        foreach (var r in truth.GetProperty("rows").EnumerateArray())
        {
            var cell = new Cell(r.GetProperty("tickets").GetInt64(), r.GetProperty("revenue").GetDecimal());
            if (cell.Tickets != 0 || cell.Revenue != 0)
                cells[$"{r.GetProperty("date").GetString()} {r.GetProperty("event_id").GetInt64()}"] = cell;
        }
        return cells;
    }

    public SortedDictionary<string, Cell> FactsFinal() => Cells(
        $"SELECT toString(sales_date), event_id, sum(tickets_sold), toString(round(sum(revenue), 2)) FROM {Db}.fact_qtickets_sales_daily FINAL " +
        "GROUP BY sales_date, event_id ORDER BY 1, 2");

    /// <summary>The facts as people and the legacy runbook read them: a plain sum, no FINAL.</summary>
    public SortedDictionary<string, Cell> FactsPlain(string table = "fact_qtickets_sales_daily") => Cells(
        $"SELECT toString(sales_date), event_id, sum(tickets_sold), toString(round(sum(revenue), 2)) FROM {Db}.{table} " +
        "GROUP BY sales_date, event_id ORDER BY 1, 2");

    public SortedDictionary<string, Cell> StagingFinal() => Cells(
        $"SELECT toString(toDate(sale_ts)), event_id, sum(tickets_sold), toString(sum(revenue)) FROM {Db}.stg_qtickets_api_orders_raw FINAL " +
        "GROUP BY 1, event_id ORDER BY 1, 2");

    SortedDictionary<string, Cell> Cells(string sql)
    {
        var cells = new SortedDictionary<string, Cell>(StringComparer.Ordinal);
        foreach (var line in Ch.Admin(sql).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split('\t');
            var cell = new Cell(long.Parse(f[2], CultureInfo.InvariantCulture), decimal.Parse(f[3], NumberStyles.Float, CultureInfo.InvariantCulture));
            if (cell.Tickets != 0 || cell.Revenue != 0) cells[$"{f[0]} {f[1]}"] = cell;
        }
        return cells;
    }

    /// <summary>
    /// Daily facts (FINAL and plain, both fact tables) and staging FINAL equal the truth, cell by cell (day, event:
    /// tickets, revenue).
    /// </summary>
    public async Task AssertTotalsMatchTruthAsync(string when)
    {
        var truth = await TruthAsync();
        Assert.True(truth.Count > 0, "the sandbox reported no sales");
        AssertSame(truth, FactsFinal(), $"fact_qtickets_sales_daily FINAL {when}");
        AssertSame(truth, FactsPlain(), $"fact_qtickets_sales_daily without FINAL {when}");
        AssertSame(truth, FactsPlain("fact_qtickets_sales_utm_daily"), $"fact_qtickets_sales_utm_daily without FINAL {when}");
        AssertSame(truth, StagingFinal(), $"staging FINAL {when}");
    }

    public static void AssertSame(SortedDictionary<string, Cell> truth, SortedDictionary<string, Cell> actual, string what)
    {
        var diff = truth.Keys.Union(actual.Keys).Where(k => truth.GetValueOrDefault(k) != actual.GetValueOrDefault(k))
            .Take(10).Select(k => $"{k}: truth {truth.GetValueOrDefault(k)}, ClickHouse {actual.GetValueOrDefault(k)}").ToList();
        Assert.True(diff.Count == 0, $"{what} differs from the sandbox truth ({truth.Count} cells) in:\n{string.Join("\n", diff)}");
    }

    public (long Tickets, decimal Revenue) Totals(SortedDictionary<string, Cell> cells) => (cells.Values.Sum(c => c.Tickets), cells.Values.Sum(c => c.Revenue));

    public string Watermark() => Ch.Admin($"SELECT argMax(value, _ver) FROM {Db}.qtickets_loader_state WHERE job = 'qtickets_api' AND name = 'watermark'");

    public long Runs(string status) => Ch.Count($"SELECT count() FROM {Db}.meta_job_runs WHERE status = '{status}'");

    /// <summary>Rows in every table the loader writes (dry runs must leave them all as they were).</summary>
    public string RowCounts() => Ch.Admin(
        $"SELECT name, total_rows FROM system.tables WHERE database = '{Db}' AND engine LIKE '%MergeTree' ORDER BY name");

    // ---------------------------------------------------------------- secrets and personal data

    static readonly Regex s_personal = new(@"@example\.test|\+7000000|\bName\d+\b|buyer\d+", RegexOptions.CultureInvariant);

    /// <summary>
    /// The token and the sandbox customers' e-mails, phones and names in no output of any run so far, no
    /// meta_job_runs row and no staging payload.
    /// </summary>
    public void AssertNoSecretsOrPersonalData()
    {
        string all;
        lock (_texts) all = string.Join("\n", _texts);
        Assert.True(all.Length > 0, "no run output was recorded");
        Assert.DoesNotContain(Sandbox.Token, all);
        Assert.DoesNotContain(Ch.AdminPassword, all);
        Assert.DoesNotContain(Ch.WriterPassword, all);
        var hit = s_personal.Match(all);
        Assert.False(hit.Success, $"personal data in run output: ...{Around(all, hit.Index)}...");

        var runs = Ch.Admin($"SELECT message, metrics FROM {Db}.meta_job_runs FORMAT TSVRaw");
        var payloads = Ch.Admin($"SELECT payload_json FROM {Db}.stg_qtickets_api_orders_raw FORMAT TSVRaw");
        Assert.True(payloads.Length > 0, "no staging payloads to scan");
        foreach (var (name, text) in new[] { ("meta_job_runs", runs), ("payload_json", payloads) })
        {
            Assert.DoesNotContain(Sandbox.Token, text);
            var m = s_personal.Match(text);
            Assert.False(m.Success, $"personal data in {name}: ...{Around(text, m.Index)}...");
        }
    }

    static string Around(string text, int index) => text.Substring(Math.Max(0, index - 60), Math.Min(120, text.Length - Math.Max(0, index - 60)));

    static System.Security.SecureString Secure(string s)
    {
        var secure = new System.Security.SecureString();
        foreach (var c in s) secure.AppendChar(c);
        return secure;
    }

    public void Dispose()
    {
        _ps?.Dispose();
        Sandbox.Dispose();
        Ch.Dispose();
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
