using System.Diagnostics;
using System.Text;
using QTickets.Module.Tests.Harness;
using QTickets.Module.Tests.Load;

namespace QTickets.Module.Tests.Packaging;

/// <summary>
/// The package as a user gets it: the built nupkg installed by PSResourceGet (Register-PSResourceRepository on a
/// local folder, Install-PSResource) into a home of its own, in real pwsh, then the scheduled load run from the
/// installed module's own scripts against the sandbox and ClickHouse. Nothing of the checkout is on the way: the
/// installed script finds its module beside itself, and PSModulePath does not name out/.
/// </summary>
[Collection("Load end-to-end")]
public sealed class InstalledPackageTests(BuiltPackage package) : IClassFixture<BuiltPackage>, IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("qtickets-psrg-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A home, data, config, cache and temp folder of the test's own: PSResourceGet keeps its repository list and the CurrentUser modules there.</summary>
    Dictionary<string, string> UserEnv()
    {
        var home = Path.Combine(_root, "home");
        var tmp = Path.Combine(_root, "tmp");
        Directory.CreateDirectory(home);
        Directory.CreateDirectory(tmp);
        return new Dictionary<string, string>(LoadRig.CleanEnv)
        {
            ["HOME"] = home,
            ["XDG_DATA_HOME"] = Path.Combine(home, ".local", "share"),
            ["XDG_CONFIG_HOME"] = Path.Combine(home, ".config"),
            ["XDG_CACHE_HOME"] = Path.Combine(home, ".cache"),
            ["XDG_RUNTIME_DIR"] = "",
            ["TMPDIR"] = tmp,
            ["PSModulePath"] = "",
        };
    }

    string Install(Dictionary<string, string> env)
    {
        Assert.True(package.Run.ExitCode == 0, package.Run.ToString());
        var r = ScriptRunner.Run(new[]
        {
            "-Command",
            "$ErrorActionPreference = 'Stop'; " +
            "Register-PSResourceRepository -Name qtickets-test -Uri $env:QTICKETS_TEST_REPOSITORY -Trusted; " +
            "Install-PSResource -Name QTickets -Repository qtickets-test -Scope CurrentUser -TrustRepository -Quiet; " +
            "(Get-Module QTickets -ListAvailable | Select-Object -First 1).ModuleBase",
        }, new Dictionary<string, string>(env) { ["QTICKETS_TEST_REPOSITORY"] = package.OutDir }, workingDirectory: _root);
        Assert.True(r.ExitCode == 0, r.ToString());
        var moduleBase = r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Last();
        Assert.StartsWith(env["HOME"], moduleBase, StringComparison.Ordinal);
        return moduleBase;
    }

    [Fact]
    public async Task The_installed_package_runs_a_scheduled_load_from_its_own_scripts()
    {
        using var rig = new LoadRig("--seed", "41", "--orders", "400", "--history-days", "10");
        var env = UserEnv();
        var moduleBase = Install(env);
        foreach (var file in new[] { "Invoke-QTicketsLoader.ps1", "Invoke-QTicketsDebugProtocol.ps1", "Test-QTicketsFreshness.ps1",
                     "Invoke-QTicketsReconcile.ps1", "Register-QTicketsLoaderTask.ps1", "qtickets-loader.cron",
                     Path.Combine("systemd", "qtickets-loader.service"), Path.Combine("systemd", "qtickets-loader.timer") })
            Assert.True(File.Exists(Path.Combine(moduleBase, "scripts", file)), $"the installed module has no scripts/{file}");

        // What the installed module says to schedule names its own scripts, and the scripts import that module.
        var schedule = ScriptRunner.Run(new[]
        {
            "-Command",
            "$s = Get-QTicketsSchedule -EnvFile $env:QTICKETS_TEST_ENV; " +
            "($s | Where-Object Kind -eq Cron).Content; '----'; " +
            "($s | Where-Object Name -eq 'Invoke-QTicketsLoader.ps1' | Where-Object Kind -eq Script).Content; '----'; " +
            ". (Join-Path (Get-Module QTickets).ModuleBase scripts/Import-QTicketsModule.ps1); (Get-Module QTickets).ModuleBase",
        }, new Dictionary<string, string>(env) { ["QTICKETS_TEST_ENV"] = rig.EnvFile }, workingDirectory: _root);
        Assert.True(schedule.ExitCode == 0, schedule.ToString());
        var parts = schedule.StdOut.Split("----");
        var loaderPath = Path.Combine(moduleBase, "scripts", "Invoke-QTicketsLoader.ps1");
        Assert.Contains($"-File {loaderPath} -EnvFile {rig.EnvFile} >> /var/log/qtickets/loader.log 2>&1", parts[0]);
        Assert.DoesNotContain("{{", parts[0]);
        var command = parts[1].Trim();
        Assert.Equal($"{ScriptRunner.PwshPath} -NoProfile -File {loaderPath} -EnvFile {rig.EnvFile}", command);
        Assert.Equal(moduleBase, parts[2].Trim());

        // One scheduled load, started by the command line the installed module printed, in a shell as cron would.
        var now = await rig.NowAsync();
        var run = Shell($"{command} -Now '{now}'", env);
        rig.Record(run.StdOut, run.StdErr);
        Assert.True(run.ExitCode == 0, run.ToString());
        var json = LoadRig.TwoLines(run.StdOut, 0);
        Assert.Equal("ok", json.GetProperty("status").GetString());
        Assert.Equal(await rig.TruthAsync(), rig.FactsFinal());
        rig.AssertNoSecretsOrPersonalData();
    }

    ProcessResult Shell(string commandLine, Dictionary<string, string> env)
    {
        var psi = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _root,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(commandLine);
        foreach (var (k, v) in env) psi.Environment[k] = v;
        psi.Environment["POWERSHELL_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["POWERSHELL_UPDATECHECK"] = "Off";
        psi.Environment["NO_COLOR"] = "1";
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("the installed loader did not finish in time: " + commandLine);
        }
        p.WaitForExit();
        return new ProcessResult(p.ExitCode, stdout.Result, stderr.Result, sw.Elapsed);
    }
}
