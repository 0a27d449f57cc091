using System.Diagnostics;
using System.Text.Json;
using QTickets.Tests.Shared;

namespace QTickets.Module.Tests.Load;

/// <summary>A sandbox and a database, backfilled once by the script; each fault test starts from there.</summary>
public sealed class BackfilledRig : IDisposable
{
    public BackfilledRig()
    {
        Rig = new LoadRig("--seed", "23", "--orders", "1500", "--history-days", "20");
        var r = Rig.ScriptAsync().GetAwaiter().GetResult();
        if (r.ExitCode != 0) throw new InvalidOperationException("the backfill failed: " + r);
    }

    public LoadRig Rig { get; }

    public void Dispose() => Rig.Dispose();
}

/// <summary>
/// Faults during scheduled runs (the script in pwsh), each followed by a normal run that must
/// leave ClickHouse FINAL equal to the sandbox's truth again. Slow runs come from sandbox latency on the seat
/// maps (the inventory snapshot is the last API work of a run, after staging and the facts are written).
/// </summary>
[Collection("Load end-to-end")]
public sealed class LoadFaultTests(BackfilledRig fixture) : IClassFixture<BackfilledRig>
{
    readonly LoadRig _rig = fixture.Rig;

    const string SlowSeats = """{"latency":{"minMs":1000,"maxMs":1000,"path":"/shows"}}""";
    const string SeatsRoute = "/shows/{id}/seats";

    async Task NormalRunRestoresTheTruthAsync(string after)
    {
        await _rig.Sandbox.ClearFaultsAsync();
        await _rig.AdvanceAsync(TimeSpan.FromMinutes(15));
        var r = await _rig.ScriptAsync();
        Assert.True(r.ExitCode == 0, $"the normal run after {after}: {r}");
        LoadRig.TwoLines(r.StdOut, 0);
        await _rig.AssertTotalsMatchTruthAsync("after " + after + " and a normal run");
        _rig.AssertNoSecretsOrPersonalData();
    }

    /// <summary>Seat-map requests so far. An empty byPathStatus comes as [] (the sandbox writes JSON like PHP).</summary>
    async Task<long> SeatRequestsAsync()
    {
        var byPath = (await _rig.Sandbox.StatsAsync()).GetProperty("byPathStatus");
        if (byPath.ValueKind != JsonValueKind.Object || !byPath.TryGetProperty(SeatsRoute, out var byStatus)) return 0;
        return byStatus.EnumerateObject().Sum(p => p.Value.GetInt64());
    }

    async Task WaitForAsync(Func<Task<bool>> condition, Process watched, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.False(watched.HasExited, $"the run ended before {what}");
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), $"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Api_down_for_a_whole_run_exits_5_records_an_error_row_and_keeps_the_watermark()
    {
        await _rig.AdvanceAsync(TimeSpan.FromMinutes(15));
        var watermark = _rig.Watermark();
        var errors = _rig.Runs("error");
        await _rig.Sandbox.SetFaultsAsync("down");

        var r = await _rig.ScriptAsync(null, "-MaxAttempts", "2");

        Assert.True(r.ExitCode == 5, r.ToString());
        var json = LoadRig.TwoLines(r.StdOut, 5);
        Assert.Equal("error", json.GetProperty("status").GetString());
        Assert.Equal(errors + 1, _rig.Runs("error"));
        Assert.Equal(watermark, _rig.Watermark());
        await NormalRunRestoresTheTruthAsync("an API outage");
    }

    [Fact]
    public async Task Api_failing_mid_pagination_fails_the_run_and_a_transient_failure_is_retried()
    {
        await _rig.AdvanceAsync(TimeSpan.FromMinutes(15));
        var watermark = _rig.Watermark();
        // -SinceHours 480: every order again, about 30 pages; the first 3 order pages answer, then only 503s.
        await _rig.Sandbox.ResetStatsAsync();
        await _rig.Sandbox.SetFaultsAsync("""{"rules":[{"type":"503","path":"/orders","skip":3}]}""");
        var failed = await _rig.ScriptAsync(null, "-SinceHours", "480", "-MaxAttempts", "2");
        Assert.True(failed.ExitCode == 5, failed.ToString());
        LoadRig.TwoLines(failed.StdOut, 5);
        Assert.True(await _rig.Sandbox.RequestCountAsync("/orders", "200") >= 3);
        Assert.True(await _rig.Sandbox.RequestCountAsync("/orders", "503") >= 1);
        Assert.Equal(watermark, _rig.Watermark());

        // Two 503s in the middle of the pages: retried, the run succeeds and the figures are exact.
        await _rig.Sandbox.SetFaultsAsync("""{"rules":[{"type":"503","path":"/orders","skip":5,"count":2}]}""");
        var retried = await _rig.ScriptAsync(null, "-SinceHours", "480");
        Assert.True(retried.ExitCode == 0, retried.ToString());
        await _rig.AssertTotalsMatchTruthAsync("after a run with two 503s mid-pagination");
        await NormalRunRestoresTheTruthAsync("a failure mid-pagination");
    }

    [Fact]
    public async Task ClickHouse_gone_mid_run_exits_6_keeps_the_watermark_and_the_next_run_repairs()
    {
        var now = await _rig.AdvanceAsync(TimeSpan.FromMinutes(15));
        var watermark = _rig.Watermark();
        using var proxy = new TcpProxy(_rig.Ch.Host, _rig.Ch.Port);
        var viaProxy = _rig.WriteEnv("via-proxy.env", port: proxy.Port);
        await _rig.Sandbox.ResetStatsAsync();
        await _rig.Sandbox.SetFaultsAsync(SlowSeats);

        var p = _rig.StartScript(now, viaProxy);
        // Seat maps are read after staging and the daily facts are written: cut ClickHouse off right then.
        await WaitForAsync(async () => await SeatRequestsAsync() > 0, p, "the inventory snapshot");
        proxy.Cut();
        var r = _rig.Finish(p, TimeSpan.FromMinutes(3));

        Assert.True(r.ExitCode == 6, r.ToString());
        var json = LoadRig.TwoLines(r.StdOut, 6);
        Assert.StartsWith("ClickHouse", json.GetProperty("error_kind").GetString());
        Assert.Equal(watermark, _rig.Watermark());
        await NormalRunRestoresTheTruthAsync("ClickHouse went away mid-run");
    }

    long FactsVersion() => _rig.Ch.Count($"SELECT max(_ver) FROM {_rig.Db}.fact_qtickets_sales_daily");

    /// <summary>The number of staging's newest insert: every insert takes the next block number, merges keep it.</summary>
    long StagingInserts() => _rig.Ch.Count(
        $"SELECT max(max_block_number) FROM system.parts WHERE database = '{_rig.Db}' AND table = 'stg_qtickets_api_orders_raw' AND active");

    [Fact]
    public async Task A_run_killed_with_SIGKILL_mid_write_is_repaired_by_the_next_run()
    {
        var now = await _rig.AdvanceAsync(TimeSpan.FromMinutes(15));
        var watermark = _rig.Watermark();
        var ok = _rig.Runs("ok");
        var factsVersion = FactsVersion();
        var stagingInserts = StagingInserts();
        await _rig.Sandbox.ResetStatsAsync();
        await _rig.Sandbox.SetFaultsAsync(SlowSeats);

        var p = _rig.StartScript(now);
        await WaitForAsync(async () => await SeatRequestsAsync() > 0, p, "the inventory snapshot");
        p.Kill(); // SIGKILL: no finally, no meta_job_runs row, the lock released by the kernel
        Assert.True(p.WaitForExit(10_000));
        _rig.Record(p.StandardOutput.ReadToEnd(), p.StandardError.ReadToEnd());

        // It died between writes: this run's staging rows and facts are in, its watermark and job row are not.
        Assert.True(StagingInserts() > stagingInserts, "the killed run inserted no staging rows");
        Assert.True(FactsVersion() > factsVersion, "the killed run recomputed no facts");
        Assert.Equal(watermark, _rig.Watermark());
        Assert.Equal(ok, _rig.Runs("ok"));
        await NormalRunRestoresTheTruthAsync("a SIGKILL mid-run");
    }

    [Fact]
    public async Task Two_runs_started_at_once_one_loads_the_other_exits_4_naming_the_holder_however_each_spells_the_host()
    {
        var now = await _rig.AdvanceAsync(TimeSpan.FromMinutes(15));
        await _rig.Sandbox.SetFaultsAsync(SlowSeats);
        // The same database as 127.0.0.1 and as localhost: one lock.
        Assert.Contains("CLICKHOUSE_HOST=127.0.0.1\n", File.ReadAllText(_rig.EnvFile));
        var localhost = Path.Combine(_rig.Dir, "localhost.env");
        File.WriteAllText(localhost, File.ReadAllText(_rig.EnvFile).Replace("CLICKHOUSE_HOST=127.0.0.1\n", "CLICKHOUSE_HOST=localhost\n", StringComparison.Ordinal));
        File.SetUnixFileMode(localhost, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var a = _rig.StartScript(now);
        var b = _rig.StartScript(now, localhost);
        var ra = _rig.Finish(a, TimeSpan.FromMinutes(3));
        var rb = _rig.Finish(b, TimeSpan.FromMinutes(3));

        var (winner, loser, winnerPid) = ra.ExitCode == 0 ? (ra, rb, a.Id) : (rb, ra, b.Id);
        Assert.True(winner.ExitCode == 0, $"first:\n{ra}\nsecond:\n{rb}");
        Assert.True(loser.ExitCode == 4, $"first:\n{ra}\nsecond:\n{rb}");
        var locked = LoadRig.TwoLines(loser.StdOut, 4);
        Assert.Equal("locked", locked.GetProperty("status").GetString());
        Assert.Contains($"pid {winnerPid} ", loser.StdOut.Split('\n')[0]);
        LoadRig.TwoLines(winner.StdOut, 0);
        await NormalRunRestoresTheTruthAsync("two runs at once");
    }
}
