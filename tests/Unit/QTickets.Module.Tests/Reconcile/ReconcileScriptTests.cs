using System.Text.Json;
using QTickets.Module.Tests.Harness;

namespace QTickets.Module.Tests.Reconcile;

/// <summary>scripts/Invoke-QTicketsReconcile.ps1 as cron runs it (pwsh -File): two lines, exit 0 clean, 7 drift, 0 once repaired.</summary>
public sealed class ReconcileScriptTests : IClassFixture<ReconcileWorld>
{
    readonly ReconcileWorld _w;

    public ReconcileScriptTests(ReconcileWorld world) => _w = world;

    ProcessResult Script(params string[] extra) => ScriptRunner.Run(
        new[] { "-File", Path.Combine(ModuleLayout.RepoRoot, "scripts", "Invoke-QTicketsReconcile.ps1"),
                "-EnvFile", _w.EnvFile, "-Now", ReconcileWorld.Now, "-Days", "3" }.Concat(extra),
        new Dictionary<string, string> { ["XDG_RUNTIME_DIR"] = _w.Dir });

    JsonElement Lines(ProcessResult r, string status)
    {
        var lines = r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 2, r.ToString());
        Assert.StartsWith($"qtickets_api_reconcile {status}", lines[0]);
        using var json = JsonDocument.Parse(lines[1]);
        Assert.Equal(status, json.RootElement.GetProperty("status").GetString());
        Assert.Equal(r.ExitCode, json.RootElement.GetProperty("exit_code").GetInt32());
        Assert.DoesNotContain(_w.ClickHouse.AdminPassword, r.StdOut + r.StdErr);
        return json.RootElement.Clone();
    }

    [Fact]
    public void Clean_exits_0_drift_exits_7_repair_exits_0_and_a_bad_env_file_exits_2()
    {
        var clean = Script();
        Assert.Equal(0, clean.ExitCode);
        Assert.Equal(3, Lines(clean, "clean").GetProperty("days_compared").GetInt32());

        _w.ClickHouse.Admin($"DELETE FROM {_w.Db}.stg_qtickets_api_orders_raw WHERE toDate(sale_ts) = '2026-11-18' AND tickets_sold > 0");
        var drift = Script();
        Assert.Equal(7, drift.ExitCode);
        Assert.Equal("2026-11-18", Lines(drift, "drift").GetProperty("differing_days")[0].GetString());

        var repair = Script("-Repair");
        Assert.Equal(0, repair.ExitCode);
        Assert.Equal("2026-11-18", Lines(repair, "repaired").GetProperty("repaired_days")[0].GetString());

        var missing = ScriptRunner.Run(new[] { "-File", Path.Combine(ModuleLayout.RepoRoot, "scripts", "Invoke-QTicketsReconcile.ps1"),
                                               "-EnvFile", Path.Combine(_w.Dir, "nope.env") });
        Assert.Equal(2, missing.ExitCode);
        Lines(missing, "error");
    }
}
