using System.Collections;
using System.Globalization;
using System.Management.Automation;
using QTickets.Module.Tests.Harness;

namespace QTickets.Module.Tests.Load;

/// <summary>Test-QTicketsFreshness in the engine and scripts/Test-QTicketsFreshness.ps1, against the real ClickHouse.</summary>
[Collection("Load end-to-end")]
public sealed class TestQTicketsFreshnessTests : IDisposable
{
    readonly LoadRig _rig = new("--seed", "31", "--orders", "800", "--history-days", "10");

    public void Dispose() => _rig.Dispose();

    RunResult Check(string now, string extra = "") => _rig.Session.Run(
        $"Test-QTicketsFreshness -EnvFile $envFile -Now $now {extra}",
        new Hashtable { ["envFile"] = _rig.EnvFile, ["now"] = DateTimeOffset.Parse(now, CultureInfo.InvariantCulture) });

    /// <summary>The single FreshnessReport a check returned (the tests see the module's types through PSObject).</summary>
    static Report One(RunResult r)
    {
        var o = Assert.Single(r.Output);
        Assert.Equal("QTickets.Core.Load.FreshnessReport", o.BaseObject.GetType().FullName);
        return new Report(o);
    }

    sealed class Report(PSObject o)
    {
        T Get<T>(string name) => (T)o.Properties[name].Value!;
        public bool Healthy => Get<bool>("Healthy");
        public string Problems => Get<string>("Problems");
        public TimeSpan? SaleAge => (TimeSpan?)o.Properties["SaleAge"].Value;
        public TimeSpan? InventoryAge => (TimeSpan?)o.Properties["InventoryAge"].Value;
        public long Runs => Get<long>("Runs");
        public long FailedRuns => Get<long>("FailedRuns");
        public double FailedPercent => Get<double>("FailedPercent");
        public string LastRunStatus => Get<string>("LastRunStatus");
    }

    static string Later(string now, TimeSpan by) =>
        DateTimeOffset.Parse(now, CultureInfo.InvariantCulture).Add(by).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture);

    [Fact]
    public async Task Reports_ages_and_failure_rate_against_thresholds_and_the_script_exits_non_zero_past_them()
    {
        var now = await _rig.NowAsync();

        // An empty database: nothing loaded, no runs.
        var empty = Check(now);
        var emptyReport = One(empty);
        Assert.False(emptyReport.Healthy);
        Assert.Contains("no sales loaded", emptyReport.Problems);
        Assert.Contains("no runs in the last 24 h", emptyReport.Problems);
        var error = Assert.Single(empty.Errors);
        Assert.Equal("QTickets.Freshness.Unhealthy,QTickets.Cmdlets.Load.TestQTicketsFreshnessCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidResult, error.CategoryInfo.Category);

        var (code, _, _) = _rig.InProcess(now);
        Assert.Equal(0, code);

        var fresh = One(Check(now));
        Assert.True(fresh.Healthy, fresh.Problems);
        Assert.InRange(fresh.SaleAge!.Value, TimeSpan.Zero, TimeSpan.FromHours(2));
        Assert.Equal(TimeSpan.Zero, fresh.InventoryAge);
        Assert.Equal((1L, 0L, "ok"), (fresh.Runs, fresh.FailedRuns, fresh.LastRunStatus));

        // Three hours without a run: both ages past the default 2 h; a 4 h limit accepts them.
        var stale = Check(Later(now, TimeSpan.FromHours(3)));
        var staleReport = One(stale);
        Assert.False(staleReport.Healthy);
        Assert.Contains("the newest sale is", staleReport.Problems);
        Assert.Contains("the newest inventory snapshot is 3 h old (limit 2 h)", staleReport.Problems);
        Assert.Single(stale.Errors);
        var lenient = One(Check(Later(now, TimeSpan.FromHours(3)), "-MaxAge 04:00:00"));
        Assert.True(lenient.Healthy, lenient.Problems);
        Assert.True(One(Check(Later(now, TimeSpan.FromHours(3)), "-MaxAge 04:00:00 -SkipInventory")).Healthy);

        // One failed run of two: 50% > 5%.
        var next = await _rig.AdvanceAsync(TimeSpan.FromMinutes(15));
        await _rig.Sandbox.SetFaultsAsync("down");
        var (failedCode, _, _) = _rig.InProcess(next, extra: "-MaxAttempts 1");
        await _rig.Sandbox.ClearFaultsAsync();
        Assert.Equal(5, failedCode);
        var failing = One(Check(next));
        Assert.False(failing.Healthy);
        Assert.Equal((2L, 1L, 50.0, "error"), (failing.Runs, failing.FailedRuns, failing.FailedPercent, failing.LastRunStatus));
        Assert.Contains("1 of 2 runs in the last 24 h failed (50% > 5%)", failing.Problems);
        Assert.True(One(Check(next, "-MaxFailedPercent 60")).Healthy);
        // Older runs fall out of the window: 15 minutes back holds only the failed one.
        var window = One(Check(next, "-RunWindow 00:10:00"));
        Assert.Equal((1L, 1L), (window.Runs, window.FailedRuns));

        // The script for cron and monitoring agents, in pwsh.
        var script = ScriptRunner.Run(new[] { "-File", LoadRig.FreshnessScript, "-EnvFile", _rig.EnvFile, "-Now", next, "-MaxFailedPercent", "60" },
            LoadRig.CleanEnv);
        Assert.True(script.ExitCode == 0, script.ToString());
        var lines = script.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("qtickets_api fresh: ", lines[0]);
        Assert.Contains("\"healthy\":true", lines[1]);

        var late = ScriptRunner.Run(new[] { "-File", LoadRig.FreshnessScript, "-EnvFile", _rig.EnvFile, "-Now", Later(next, TimeSpan.FromHours(3)) },
            LoadRig.CleanEnv);
        Assert.True(late.ExitCode == 1, late.ToString());
        Assert.StartsWith("qtickets_api NOT fresh: ", late.StdOut);
        Assert.Contains("\"exit_code\":1", late.StdOut);

        var dead = ScriptRunner.Run(new[] { "-File", LoadRig.FreshnessScript, "-EnvFile", _rig.WriteEnv("dead.env", port: 1) }, LoadRig.CleanEnv);
        Assert.True(dead.ExitCode == 6, dead.ToString());
        Assert.StartsWith("qtickets freshness unknown (exit 6): ", dead.StdOut);

        _rig.Record(script.StdOut, script.StdErr, late.StdOut, late.StdErr, dead.StdOut, dead.StdErr);
        _rig.AssertNoSecretsOrPersonalData();
    }
}
