using System.Diagnostics;
using QTickets.Module.Tests.Harness;

namespace QTickets.Module.Tests.Diagnostics;

/// <summary>
/// scripts/Invoke-QTicketsDebugProtocol.ps1 run as users run it: pwsh -File ..., as a process, checked by its exit
/// code, its output and the artifacts it leaves.
/// </summary>
public sealed class DebugProtocolScriptTests(ProtocolSandbox sandbox) : IClassFixture<ProtocolSandbox>, IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("qtickets-protocol-script-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    static string Script => Path.Combine(ModuleLayout.RepoRoot, "scripts", "Invoke-QTicketsDebugProtocol.ps1");

    internal static (int Exit, string Stdout, string Stderr) RunScript(string workingDirectory, params string[] args)
    {
        // Its temp folder is the test's own (removed with it): step G's loader run leaves its lock file there.
        var r = ScriptRunner.Run(new[] { "-File", Script }.Concat(args), new Dictionary<string, string> { ["TMPDIR"] = workingDirectory },
            TimeSpan.FromMinutes(3), workingDirectory);
        return (r.ExitCode, r.StdOut, r.StdErr);
    }

    [Fact]
    public void Writes_every_artifact_and_the_archive_exits_0_and_leaks_nothing()
    {
        var env = ProtocolFiles.EnvFile(_dir, sandbox.Server);
        var (exit, stdout, stderr) = RunScript(_dir, "-EnvFile", env, "-RetryDelaySeconds", "0", "-IncludeWriteProbes");

        Assert.True(exit == 0, $"exit {exit}\nstdout:\n{stdout}\nstderr:\n{stderr}");
        Assert.Contains("Verdict (WorkingFormFound): Sales are there and the loader reads them (200 paid orders in the period checked): nothing to do.", stdout);
        Assert.Contains("GET /orders with a JSON body works (J1: 200 paid orders in the window", stdout);
        var dir = Assert.Single(Directory.GetDirectories(_dir, "qtickets_debug_*"));
        Assert.Matches(@"qtickets_debug_\d{8}_\d{6}$", dir);
        var archive = dir + ".tar.gz";
        Assert.True(File.Exists(archive));
        var names = Directory.GetFiles(dir).Select(Path.GetFileName).ToList();
        foreach (var name in new[]
                 {
                     "step00_env.txt", "stepA1_get_orders.json", "stepA1_get_orders.headers.txt", "stepA1_get_orders.outcome.txt",
                     "stepA2_get_orders_perpage.json", "stepB3_get_orders_payed0.outcome.txt", "stepC2_get_orders_90d.json",
                     "stepJ1_get_orders_json_body.json", "stepE1_post_orders_filter.html", "stepE2_post_orders.json",
                     "stepF_repeat_503_E2.outcome.txt", "stepH_head_orders.headers.txt",
                     "final_report.md", "README_TESTING.md", "support_ticket_draft.md",
                 })
            Assert.Contains(name, names);
        var texts = ProtocolFiles.AllTexts(dir, archive);
        ProtocolFiles.AssertClean(texts, sandbox.Server.Token);
        Assert.DoesNotContain(sandbox.Server.Token, stdout + stderr);
        Assert.Contains("Step G (run the loader for the window where data was found, then count rows in ClickHouse) was not run: -RunLoader was not given.", texts["final_report.md"]);
        Assert.Contains("was not run: -RunLoader was not given", texts["README_TESTING.md"]);
        Assert.Contains("| J1 | GET /orders + JSON body | 200 | 200 |", texts["final_report.md"]);
    }

    [Fact]
    public void RunLoader_runs_the_loader_script_for_the_window_and_records_its_exit_code_and_summary()
    {
        // ClickHouse points at a closed port: the loader's ClickHouse error (exit 6) and its JSON summary are what G records.
        var env = ProtocolFiles.EnvFile(_dir, sandbox.Server);
        File.AppendAllText(env, "CLICKHOUSE_HOST=127.0.0.1\nCLICKHOUSE_PORT=9\n");
        var (exit, stdout, stderr) = RunScript(_dir, "-EnvFile", env, "-OutputDir", "g", "-Step", "J1", "-RunLoader");

        Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
        var g = File.ReadAllText(Path.Combine(_dir, "g", "stepG_loader.txt"));
        Assert.Contains("(loader -SinceHours 720)", g);
        Assert.Contains("Exit code:   6 (", g);
        Assert.Contains("\"exit_code\":6", g);
        Assert.Contains("Step G ran the loader for ", File.ReadAllText(Path.Combine(_dir, "g", "final_report.md")));
        ProtocolFiles.AssertClean(ProtocolFiles.AllTexts(Path.Combine(_dir, "g"), Path.Combine(_dir, "g.tar.gz")), sandbox.Server.Token);
    }

    [Fact]
    public void Refuses_a_non_empty_folder_without_Force_and_clears_it_with_Force()
    {
        var env = ProtocolFiles.EnvFile(_dir, sandbox.Server);
        var target = Path.Combine(_dir, "out");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "old.txt"), "old run");

        var (exit, _, stderr) = RunScript(_dir, "-EnvFile", env, "-OutputDir", "out", "-Step", "H");
        Assert.Equal(1, exit);
        Assert.Contains("is not empty", stderr);
        Assert.Contains("-Force", stderr);
        Assert.True(File.Exists(Path.Combine(target, "old.txt")));

        (exit, var stdout, stderr) = RunScript(_dir, "-EnvFile", env, "-OutputDir", "out", "-Step", "H", "-Force");
        Assert.True(exit == 2, $"exit {exit} (a run of H alone tests no request form)\n{stdout}\n{stderr}");
        Assert.False(File.Exists(Path.Combine(target, "old.txt")));
        Assert.True(File.Exists(Path.Combine(target, "stepH_head_orders.outcome.txt")));
        Assert.True(File.Exists(target + ".tar.gz"));
    }
}

/// <summary>The script against an API that is down: exit 2, and the report and support ticket say so.</summary>
public sealed class DebugProtocolScriptDownTests(DownSandbox sandbox) : IClassFixture<DownSandbox>, IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("qtickets-protocol-script-down-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    [Fact]
    public void Exits_2_and_reports_the_API_unavailable_with_a_support_ticket_draft()
    {
        var env = ProtocolFiles.EnvFile(_dir, sandbox.Server);
        var (exit, stdout, stderr) = DebugProtocolScriptTests.RunScript(_dir, "-EnvFile", env, "-OutputDir", "down", "-RetryDelaySeconds", "0", "-RunLoader");

        Assert.True(exit == 2, $"exit {exit}\n{stdout}\n{stderr}");
        Assert.Contains("WARNING: The QTickets API did not answer, so nothing could be checked: nothing is wrong on your side; run the check again later. " +
                        "The QTickets API was unavailable: all 12 requests failed between", stderr);
        var dir = Path.Combine(_dir, "down");
        var texts = ProtocolFiles.AllTexts(dir, dir + ".tar.gz");
        ProtocolFiles.AssertClean(texts, sandbox.Server.Token);
        Assert.Contains("The QTickets API was unavailable", texts["final_report.md"]);
        Assert.Contains("no request form returned paid orders, so there is no window to load", texts["README_TESTING.md"]);
        Assert.Contains("все запросы к /orders завершаются ошибкой", texts["support_ticket_draft.md"]);
        Assert.Contains("UTC", texts["support_ticket_draft.md"]);
        Assert.Contains("Moscow", texts["support_ticket_draft.md"]);
    }
}
