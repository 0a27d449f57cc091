using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using QTickets.Core.Configuration;
using QTickets.Core.Contracts;
using QTickets.Engine.ClickHouse;
using QTickets.Core.Load;
using QTickets.Tests.Shared;
using QTickets.Unit.Tests.Api;
using static QTickets.Core.Contracts.KnownTables;

namespace QTickets.Unit.Tests.ClickHouse;

/// <summary>
/// A ClickHouse of its own (build/clickhouse.sh with its own QTICKETS_CH_DIR and free ports) whose etl_writer and
/// qtickets_reader have exactly the GRANT statements the store generates (QTICKETS_CH_GRANTS_FILE), not the broad
/// defaults of the shared test server. The administrator (all privileges) creates the schema through the store.
/// The launcher watches this test process (--owner-pid), so a crashed run cannot leave it behind; Dispose stops it.
/// </summary>
public sealed class GrantsClickHouse : IDisposable
{
    public const string Database = "qt_grants";
    public const string WriterUser = "etl_writer";
    public const string ReaderUser = "qtickets_reader";

    static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromMinutes(2) };
    readonly string _dir;
    readonly Dictionary<string, string> _env;
    int _stopped;

    public GrantsClickHouse()
    {
        _dir = Path.Combine(Path.GetTempPath(), "qt-grants-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_dir);
        HttpPort = FreePort();
        do TcpPort = FreePort(); while (TcpPort == HttpPort);

        // The statements exactly as Initialize-QTicketsClickHouse -Grants would run them on a real server.
        using (var planner = Store(WriterUser, ""))
            GrantStatements = planner.GetGrantStatements(new GrantPlan(WriterUser, ReaderUser));
        var lines = GrantStatements.Select(g =>
            g.EndsWith(" TO " + WriterUser, StringComparison.Ordinal) ? "writer|" + g :
            g.EndsWith(" TO " + ReaderUser, StringComparison.Ordinal) ? "reader|" + g :
            throw new InvalidOperationException($"A grant for neither user: {g}"));
        GrantsFile = Path.Combine(_dir, "grants.txt");
        File.WriteAllLines(GrantsFile, lines);

        StartOutput = Script("start", "--owner-pid", Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        _env = File.ReadAllLines(Path.Combine(_dir, "ch", "clickhouse.env"))
            .Where(l => l.Length > 0 && !l.StartsWith('#') && l.Contains('='))
            .Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        Assert.Equal(WriterUser, _env["CLICKHOUSE_USER"]);
        Assert.Equal(ReaderUser, _env["QTICKETS_CH_READER_USER"]);

        using var admin = Store(AdminUser, AdminPassword);
        StoreHelpers.Initialize(admin);
    }

    public int HttpPort { get; }
    public int TcpPort { get; }
    public IReadOnlyList<string> GrantStatements { get; }
    public string GrantsFile { get; }
    public string StartOutput { get; }
    public string UsersXml => File.ReadAllText(Path.Combine(_dir, "ch", "config", "users.xml"));

    public string AdminUser => _env["QTICKETS_CH_ADMIN_USER"];
    public string AdminPassword => _env["QTICKETS_CH_ADMIN_PASSWORD"];
    public string WriterPassword => _env["CLICKHOUSE_PASSWORD"];
    public string ReaderPassword => _env["QTICKETS_CH_READER_PASSWORD"];

    public ClickHouseStore Store(string user, string password, IRunObserver? observer = null) =>
        new(new QTicketsConfig
        {
            ClickHouseHost = "127.0.0.1", ClickHousePort = HttpPort, ClickHouseDatabase = Database,
            ClickHouseUser = user, ClickHousePassword = new Secret(password),
        }, observer ?? NullRunObserver.Instance);

    public ClickHouseStore Writer(IRunObserver? observer = null) => Store(WriterUser, WriterPassword, observer);
    public ClickHouseStore Reader(IRunObserver? observer = null) => Store(ReaderUser, ReaderPassword, observer);

    /// <summary>Runs SQL over HTTP; (true, body) on success, (false, error text) otherwise.</summary>
    public (bool Ok, string Body) Try(string sql, string user, string password)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{HttpPort}/")
        {
            Content = new StringContent(sql, Encoding.UTF8, "text/plain"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        using var response = s_http.Send(request);
        var body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult().TrimEnd('\n');
        return (response.IsSuccessStatusCode, body);
    }

    public string Admin(string sql)
    {
        var (ok, body) = Try(sql, AdminUser, AdminPassword);
        return ok ? body : throw new InvalidOperationException($"admin: [{sql}] failed: {body}");
    }

    public long Count(string sql) => long.Parse(Admin(sql), CultureInfo.InvariantCulture);

    string Script(params string[] args) => RunScript(Path.Combine(_dir, "ch"), HttpPort, TcpPort, GrantsFile, args);

    /// <summary>build/clickhouse.sh for the instance in <paramref name="chDir"/>; its output, or an exception on failure.</summary>
    public static string RunScript(string chDir, int httpPort, int tcpPort, string? grantsFile, params string[] args)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(Fixtures.RepoRoot, "build", "clickhouse.sh"));
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["QTICKETS_CH_DIR"] = chDir;
        info.Environment["QTICKETS_CH_HTTP_PORT"] = httpPort.ToString(CultureInfo.InvariantCulture);
        info.Environment["QTICKETS_CH_TCP_PORT"] = tcpPort.ToString(CultureInfo.InvariantCulture);
        if (grantsFile is null) info.Environment.Remove("QTICKETS_CH_GRANTS_FILE");
        else info.Environment["QTICKETS_CH_GRANTS_FILE"] = grantsFile;
        using var p = Process.Start(info) ?? throw new InvalidOperationException("could not run build/clickhouse.sh");
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromSeconds(90))) { p.Kill(); throw new TimeoutException($"build/clickhouse.sh {args[0]} hung"); }
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"build/clickhouse.sh {string.Join(' ', args)} exited {p.ExitCode}:\n{stdout}\n{stderr.Result}");
        return stdout + stderr.Result;
    }

    public static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        var port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    void OnProcessExit(object? sender, EventArgs e) => Stop();

    void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        try { Script("stop"); }
        catch (Exception) { /* the owner watchdog ends it within seconds anyway */ }
        try { Directory.Delete(_dir, recursive: true); }
        catch (Exception) { /* a temp dir left behind is harmless */ }
    }

    public void Dispose()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        Stop();
    }
}

/// <summary>
/// issues #5: the two roles' grants, as the store generates them, on a real server. The writer runs whole loads
/// (backfill, incremental from the watermark, a repair of days) and is refused everything else; the reader
/// selects the dashboards and is refused every change. Each denial must be ACCESS_DENIED (code 497): the
/// instance gives the reader no readonly profile, so only the grants stand in the way.
/// </summary>
public sealed class GrantsTests : IClassFixture<GrantsClickHouse>
{
    // The sandbox's virtual now: its data lies in the days before it.
    static readonly DateTimeOffset SandboxNow = new(2026, 11, 20, 12, 0, 0, TimeSpan.FromHours(3));
    const string Db = GrantsClickHouse.Database;

    readonly GrantsClickHouse _ch;

    public GrantsTests(GrantsClickHouse ch) => _ch = ch;

    sealed class SettableTime(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    static QTicketsLoader Loader(SandboxProcess sandbox, IClickHouseStore store, TimeProvider time, IRunObserver observer) =>
        new(new ApiLoadSource(ApiKit.Create(ApiKit.FastOptions() with { Parallelism = 4 }, observer, sandbox.BaseUrl, sandbox.Token)),
            store, new LoadOptions { Time = time, BatchSize = 200, InitialBackfillHours = 24 * 5 }, observer);

    /// <summary>Statements that must each be refused with ACCESS_DENIED; lists every one that was not.</summary>
    void AllDenied(string user, string password, IEnumerable<string> statements)
    {
        var wrong = new List<string>();
        foreach (var sql in statements)
        {
            var (ok, body) = _ch.Try(sql, user, password);
            if (ok) wrong.Add($"ALLOWED: {sql}");
            else if (!body.Contains("Code: 497.", StringComparison.Ordinal)) wrong.Add($"refused, but not by a grant: {sql}\n    {body}");
        }
        Assert.True(wrong.Count == 0, $"{user}:\n" + string.Join("\n", wrong));
    }

    void AllAllowed(string user, string password, IEnumerable<string> statements)
    {
        var wrong = new List<string>();
        foreach (var sql in statements)
        {
            var (ok, body) = _ch.Try(sql, user, password);
            if (!ok) wrong.Add($"REFUSED: {sql}\n    {body}");
        }
        Assert.True(wrong.Count == 0, $"{user}:\n" + string.Join("\n", wrong));
    }

    [Fact]
    public void The_instance_runs_with_the_generated_grants_and_is_tied_to_this_process()
    {
        Assert.Contains($"exits when pid {Environment.ProcessId} is gone", _ch.StartOutput);
        var xml = _ch.UsersXml;
        foreach (var g in _ch.GrantStatements)
            Assert.Contains("<query>" + g[..g.LastIndexOf(" TO ", StringComparison.Ordinal)] + "</query>", xml);
        Assert.DoesNotContain($"GRANT SELECT, INSERT ON {Db}.*", xml);
        Assert.DoesNotContain("<profile>readonly</profile>", xml);
    }

    [Fact]
    public async Task The_writer_runs_whole_loads_and_the_reader_cannot()
    {
        using var sandbox = SandboxProcess.Start("--seed", "5", "--orders", "600", "--history-days", "4");
        var time = new SettableTime(SandboxNow);
        var observer = new RecordingObserver();

        // 1. Backfill as the writer: describe, schema check, watermark read, staging, daily facts recomputed by
        //    INSERT ... SELECT from staging FINAL, dim_events, inventory, meta_job_runs, watermark.
        LoadSummary first;
        using (var writer = _ch.Writer(observer))
            first = await Loader(sandbox, writer, time, observer).RunAsync(default);
        Assert.True(first.Status == QTickets.Core.Load.LoadStatus.Ok, $"writer's backfill: {first.ErrorKind}: {first.Message}\n{observer.AllText()}");
        Assert.True(first.Backfill);
        Assert.True(first.SalesRows > 100, $"only {first.SalesRows} sales rows");
        Assert.True(first.SalesDailyRows > 0 && first.SalesUtmDailyRows > 0);
        Assert.True(first.InventoryRows > 0, "no inventory rows");

        Assert.Equal(first.SalesRows, _ch.Count($"SELECT count() FROM {Db}.{OrdersStaging} FINAL"));
        // The facts are the staged truth, per day.
        Assert.Equal(
            _ch.Admin($"SELECT toDate(sale_ts) d, sum(tickets_sold), round(toFloat64(sum(revenue)), 2) FROM {Db}.{OrdersStaging} FINAL GROUP BY d ORDER BY d"),
            _ch.Admin($"SELECT sales_date, sum(tickets_sold), round(sum(revenue), 2) FROM {Db}.{SalesDaily} FINAL GROUP BY sales_date HAVING sum(tickets_sold) > 0 OR sum(revenue) != 0 ORDER BY sales_date"));
        Assert.Equal(_ch.Count($"SELECT sum(tickets_sold) FROM {Db}.{SalesDaily} FINAL"),
                     _ch.Count($"SELECT sum(tickets_sold) FROM {Db}.{SalesUtmDaily} FINAL"));
        Assert.Equal(first.Events, (int)_ch.Count($"SELECT count() FROM {Db}.{Events} FINAL"));
        Assert.Equal(first.InventoryRows, (int)_ch.Count($"SELECT count() FROM {Db}.{InventoryLatest} FINAL"));
        Assert.Equal(first.InventoryRows, (int)_ch.Count($"SELECT count() FROM {Db}.{InventoryStaging} FINAL"));
        Assert.Equal($"ok\t{first.RunId}", _ch.Admin($"SELECT status, run_id FROM {Db}.{JobRuns} WHERE job = 'qtickets_api'"));
        using (var admin = _ch.Store(_ch.AdminUser, _ch.AdminPassword))
            Assert.Equal(first.WindowEnd, await admin.ReadWatermarkAsync("qtickets_api", default));

        // 2. Three hours later, incrementally from the watermark the writer reads back.
        await sandbox.AdvanceClockAsync(TimeSpan.FromHours(3));
        time.Now = SandboxNow.AddHours(3);
        LoadSummary second;
        using (var writer = _ch.Writer(observer))
            second = await Loader(sandbox, writer, time, observer).RunAsync(default);
        Assert.True(second.Status == QTickets.Core.Load.LoadStatus.Ok, $"writer's incremental run: {second.ErrorKind}: {second.Message}\n{observer.AllText()}");
        Assert.False(second.Backfill);
        Assert.Equal(first.WindowEnd!.Value.AddHours(-2), second.WindowStart); // watermark minus the 2 h lookback
        Assert.Equal(2, _ch.Count($"SELECT count() FROM {Db}.{JobRuns} WHERE status = 'ok'"));

        // 2b. Unreadable prices: the writer records the rejected orders, then reads them back and fetches them by id.
        await sandbox.SetLiesAsync("""{"unreadable":{"field":"price","every":1}}""");
        await sandbox.AdvanceClockAsync(TimeSpan.FromHours(1));
        time.Now = SandboxNow.AddHours(4);
        LoadSummary partial;
        using (var writer = _ch.Writer(observer))
            partial = await Loader(sandbox, writer, time, observer).RunAsync(default);
        Assert.True(partial.Status == QTickets.Core.Load.LoadStatus.Partial && partial.ExitCode == LoadExitCode.Rejected,
            $"writer's run with unreadable prices: {partial.Status} {partial.ErrorKind}: {partial.Message}\n{observer.AllText()}");
        Assert.True(partial.RejectedOrders > 0);
        Assert.Equal(partial.RejectedOrders, (int)_ch.Count($"SELECT count() FROM {Db}.{RejectedOrders} FINAL WHERE state = 'open'"));
        Assert.Equal(1, _ch.Count($"SELECT count() FROM {Db}.{JobRuns} WHERE status = 'partial'"));
        await sandbox.ClearLiesAsync();
        await sandbox.AdvanceClockAsync(TimeSpan.FromHours(1));
        time.Now = SandboxNow.AddHours(5);
        LoadSummary reloaded;
        using (var writer = _ch.Writer(observer))
            reloaded = await Loader(sandbox, writer, time, observer).RunAsync(default);
        Assert.True(reloaded.Status == QTickets.Core.Load.LoadStatus.Ok, $"writer's run after the lie: {reloaded.ErrorKind}: {reloaded.Message}\n{observer.AllText()}");
        Assert.Equal(partial.RejectedOrders, reloaded.ReloadedOrders);
        Assert.Equal(0, _ch.Count($"SELECT count() FROM {Db}.{RejectedOrders} FINAL WHERE state = 'open'"));

        // 3. A repair of whole days (Compare-QTicketsClickHouse -Repair) as the writer.
        var days = first.DaysTouched.Take(2).ToList();
        LoadSummary repair;
        using (var writer = _ch.Writer(observer))
            repair = await Loader(sandbox, writer, time, observer).ReloadDaysAsync(days, default);
        Assert.True(repair.Status == QTickets.Core.Load.LoadStatus.Ok, $"writer's repair: {repair.ErrorKind}: {repair.Message}");

        // The reader sees the result through the dashboards' views.
        AllAllowed(GrantsClickHouse.ReaderUser, _ch.ReaderPassword, Views.Select(v => $"SELECT count() FROM {Db}.{v}"));
        Assert.Equal(_ch.Admin($"SELECT count() FROM {Db}.v_qtickets_sales_utm_daily"),
                     _ch.Try($"SELECT count() FROM {Db}.v_qtickets_sales_utm_daily", GrantsClickHouse.ReaderUser, _ch.ReaderPassword).Body);
        Assert.NotEqual("0", _ch.Try($"SELECT count() FROM {Db}.v_qtickets_inventory", GrantsClickHouse.ReaderUser, _ch.ReaderPassword).Body);

        // 4. The reader gets as far as reading the watermark, then its first insert is refused; nothing changes.
        var before = _ch.Admin($"SELECT (SELECT count() FROM {Db}.{OrdersStaging}), (SELECT count() FROM {Db}.{JobRuns}), " +
                               $"(SELECT count() FROM {Db}.{LoaderState}), (SELECT count() FROM {Db}.{SalesDaily})");
        time.Now = SandboxNow.AddHours(6);
        LoadSummary byReader;
        using (var reader = _ch.Reader())
            byReader = await Loader(sandbox, reader, time, NullRunObserver.Instance).RunAsync(default);
        Assert.Equal(QTickets.Core.Load.LoadStatus.Error, byReader.Status);
        Assert.Equal(LoadExitCode.ClickHouseError, byReader.ExitCode);
        Assert.Contains(GrantsClickHouse.ReaderUser, byReader.Message);
        Assert.Equal(before, _ch.Admin($"SELECT (SELECT count() FROM {Db}.{OrdersStaging}), (SELECT count() FROM {Db}.{JobRuns}), " +
                                       $"(SELECT count() FROM {Db}.{LoaderState}), (SELECT count() FROM {Db}.{SalesDaily})"));
    }

    [Fact]
    public async Task An_instance_whose_owner_is_gone_stops_by_itself_and_leaves_the_others_alone()
    {
        var dir = Path.Combine(Path.GetTempPath(), "qt-owner-" + Guid.NewGuid().ToString("N")[..8]);
        int http = GrantsClickHouse.FreePort(), tcp;
        do tcp = GrantsClickHouse.FreePort(); while (tcp == http);
        using var owner = Process.Start(new ProcessStartInfo("sleep", "120") { UseShellExecute = false })!;
        try
        {
            GrantsClickHouse.RunScript(dir, http, tcp, null, "start", "--owner-pid", owner.Id.ToString(CultureInfo.InvariantCulture));
            Assert.Contains("running", GrantsClickHouse.RunScript(dir, http, tcp, null, "status"));
            owner.Kill(); // as a crashed test process would go: no stop command
            await owner.WaitForExitAsync();
            var deadline = DateTime.UtcNow.AddSeconds(15);
            var stopped = false;
            while (!stopped && DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
                // exit 3 = stopped; 1 = still shutting down (alive, no longer answering)
                try { GrantsClickHouse.RunScript(dir, http, tcp, null, "status"); }
                catch (InvalidOperationException ex) { stopped = ex.Message.Contains("exited 3", StringComparison.Ordinal); }
            }
            Assert.True(stopped, "the instance outlived its owner by 15 s");
            // The grants instance of this class still answers: stopping one never touches another.
            Assert.Equal("1", _ch.Admin("SELECT 1"));
        }
        finally
        {
            if (!owner.HasExited) owner.Kill();
            try { GrantsClickHouse.RunScript(dir, http, tcp, null, "stop"); } catch (Exception) { /* best effort */ }
            try { Directory.Delete(dir, recursive: true); } catch (Exception) { /* best effort */ }
        }
    }

    static readonly string[] Views = { "v_qtickets_sales_dashboard", "mv_qtickets_sales_latest", "v_qtickets_inventory", "v_qtickets_sales_utm_daily" };

    static readonly string[] AllTables =
        { OrdersStaging, InventoryStaging, Events, SalesDaily, SalesUtmDaily, InventoryLatest, JobRuns, PlanSales, SchemaMigrations, LoaderState, RejectedOrders };

    [Fact]
    public void The_writer_reads_only_what_the_loader_needs_and_changes_no_schema()
    {
        AllAllowed(GrantsClickHouse.WriterUser, _ch.WriterPassword, new[]
        {
            $"SELECT order_id, sale_ts, tickets_sold, revenue, _ver, _dedup_key FROM {Db}.{OrdersStaging} FINAL LIMIT 1",
            $"SELECT sales_date, event_id, city FROM {Db}.{SalesDaily} LIMIT 1",
            $"SELECT job, status, started_at FROM {Db}.{JobRuns} LIMIT 1",
            $"SELECT * FROM {Db}.{LoaderState}",
            $"SELECT * FROM {Db}.{SchemaMigrations}",
            $"SELECT * FROM {Db}.{RejectedOrders}",
            $"INSERT INTO {Db}.{RejectedOrders} SELECT * FROM {Db}.{RejectedOrders} LIMIT 0",
            // a day's facts and an event's inventory are replaced, and a legacy loader's rows removed (README)
            $"DELETE FROM {Db}.{SalesDaily} WHERE sales_date = '1970-01-02'",
            $"DELETE FROM {Db}.{InventoryLatest} WHERE event_id = 'none'",
            $"DELETE FROM {Db}.{OrdersStaging} WHERE _dedup_key != lower(hex(MD5(order_id))) AND order_id = 'none'",
        });
        AllDenied(GrantsClickHouse.WriterUser, _ch.WriterPassword, new[]
        {
            // personal data and numbers it never needs
            $"SELECT payload_json FROM {Db}.{OrdersStaging} LIMIT 1",
            $"SELECT * FROM {Db}.{OrdersStaging} LIMIT 1",
            $"SELECT sum(revenue) FROM {Db}.{SalesDaily}",
            $"SELECT sum(tickets_sold) FROM {Db}.{SalesDaily}",
            $"SELECT revenue FROM {Db}.{SalesUtmDaily} LIMIT 1",
            $"SELECT * FROM {Db}.{Events}",
            $"SELECT * FROM {Db}.{InventoryStaging}",
            $"SELECT * FROM {Db}.{InventoryLatest}",
            $"SELECT message, metrics FROM {Db}.{JobRuns}",
            $"SELECT * FROM {Db}.{PlanSales}",
            // the dashboards
            $"SELECT * FROM {Db}.{Views[0]}", $"SELECT * FROM {Db}.{Views[1]}", $"SELECT * FROM {Db}.{Views[2]}", $"SELECT * FROM {Db}.{Views[3]}",
            // tables it does not load
            $"INSERT INTO {Db}.{PlanSales} (sales_date, event_id, city, _ver) VALUES ('2026-11-01', 'x', 'y', 1)",
            $"INSERT INTO {Db}.{SchemaMigrations} (version, name, statements_md5) VALUES (99, 'x', 'y')",
            // schema and data changes
            $"DROP TABLE {Db}.{Events}",
            $"DROP VIEW {Db}.{Views[0]}",
            $"TRUNCATE TABLE {Db}.{OrdersStaging}",
            $"ALTER TABLE {Db}.{JobRuns} DELETE WHERE 1",
            $"ALTER TABLE {Db}.{LoaderState} DELETE WHERE 1",
            $"DELETE FROM {Db}.{RejectedOrders} WHERE 1",
            $"ALTER TABLE {Db}.{SalesDaily} UPDATE revenue = 0 WHERE 1",
            $"ALTER TABLE {Db}.{OrdersStaging} UPDATE revenue = 0 WHERE 1",
            // marking a rejected order ignored is a person's decision, not the loader's
            $"ALTER TABLE {Db}.{RejectedOrders} UPDATE state = 'ignored' WHERE 1",
            $"ALTER TABLE {Db}.{Events} ADD COLUMN x UInt8",
            $"ALTER TABLE {Db}.{LoaderState} MODIFY SETTING non_replicated_deduplication_window = 1",
            $"OPTIMIZE TABLE {Db}.{OrdersStaging} FINAL",
            $"RENAME TABLE {Db}.{Events} TO {Db}.dim_events_old",
            $"CREATE TABLE {Db}.x (a UInt8) ENGINE = Memory",
            $"CREATE VIEW {Db}.v_x AS SELECT 1",
            "CREATE DATABASE qt_grants_other",
            $"DROP DATABASE {Db}",
            // the server's files and the network
            "SELECT * FROM file('/etc/passwd', 'LineAsString')",
            "SELECT * FROM url('http://127.0.0.1:1/', 'LineAsString')",
            $"INSERT INTO FUNCTION file('leak.tsv', 'TSV') SELECT order_id FROM {Db}.{OrdersStaging}",
            $"SELECT * FROM remote('127.0.0.1:{_ch.TcpPort}', {Db}.{OrdersStaging}, '{_ch.AdminUser}', '')",
        });
    }

    [Fact]
    public async Task The_reader_selects_everything_and_changes_nothing()
    {
        AllAllowed(GrantsClickHouse.ReaderUser, _ch.ReaderPassword,
            Views.Select(v => $"SELECT * FROM {Db}.{v} LIMIT 5")
                .Concat(AllTables.Select(t => $"SELECT * FROM {Db}.{t} LIMIT 5")));
        // Through the store too (the dashboards' own client path).
        using (var reader = _ch.Reader())
            Assert.NotEmpty(await reader.DescribeTableAsync(SalesDaily, default));

        AllDenied(GrantsClickHouse.ReaderUser, _ch.ReaderPassword,
            AllTables.Select(t => $"INSERT INTO {Db}.{t} SELECT * FROM {Db}.{t} LIMIT 0")
            .Concat(new[]
            {
                $"INSERT INTO {Db}.{Events} (event_id, _ver) VALUES ('x', 1)",
                $"INSERT INTO {Db}.{JobRuns} (job, started_at, finished_at, status) VALUES ('x', now(), now(), 'ok')",
                $"DROP TABLE {Db}.{Events}",
                $"DROP VIEW {Db}.{Views[0]}",
                $"TRUNCATE TABLE {Db}.{OrdersStaging}",
                $"ALTER TABLE {Db}.{OrdersStaging} DELETE WHERE 1",
                $"ALTER TABLE {Db}.{SalesDaily} UPDATE revenue = 0 WHERE 1",
                $"ALTER TABLE {Db}.{Events} ADD COLUMN x UInt8",
                $"ALTER TABLE {Db}.{Events} DROP COLUMN event_name",
                $"OPTIMIZE TABLE {Db}.{OrdersStaging} FINAL",
                $"RENAME TABLE {Db}.{Events} TO {Db}.dim_events_old",
                $"CREATE TABLE {Db}.x (a UInt8) ENGINE = Memory",
                $"CREATE OR REPLACE VIEW {Db}.{Views[0]} AS SELECT 1",
                "CREATE DATABASE qt_grants_other",
                $"DROP DATABASE {Db}",
                "SELECT * FROM file('/etc/passwd', 'LineAsString')",
                $"INSERT INTO FUNCTION file('leak.tsv', 'TSV') SELECT order_id FROM {Db}.{OrdersStaging}",
            }));
    }
}
