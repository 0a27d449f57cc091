using System.Diagnostics;
using QTickets.Module.Tests.Harness;

namespace QTickets.Module.Tests.Runner;

/// <summary>out/qtickets-pwsh behaves like pwsh for what our scripts and cron need: binding, streams, exit codes, signals.</summary>
public sealed class ScriptRunnerTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("qtickets-runner-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    string Script(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Script_parameters_bind_like_pwsh_File()
    {
        var s = Script("params.ps1", """
            [CmdletBinding()]
            param([string] $Name, [int] $SinceHours, [switch] $DryRun, [string] $EnvFile)
            "$Name|$SinceHours|$($SinceHours.GetType().Name)|$($DryRun.IsPresent)|$EnvFile"
            """);
        var r = ScriptRunner.Run(["-NoProfile", "-File", s, "-Name", "x y", "-SinceHours", "24", "-DryRun", "-EnvFile:/etc/q.env"]);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("x y|24|Int32|True|/etc/q.env", r.StdOut.Trim());
    }

    [Theory]
    [InlineData("exit 3", 3)]
    [InlineData("exit 0", 0)]
    [InlineData("function f { exit 7 }; f", 7)]
    [InlineData("throw 'boom happened'", 1)]
    [InlineData("'fine'", 0)]
    public void The_exit_code_is_the_scripts(string body, int expected)
    {
        var r = ScriptRunner.Run(["-File", Script("exit.ps1", body)]);
        Assert.True(expected == r.ExitCode, r.ToString());
        if (body.StartsWith("throw")) Assert.Contains("boom happened", r.StdErr);
    }

    [Fact]
    public void Missing_scripts_bad_parameters_and_bad_options_fail_clearly()
    {
        var missing = ScriptRunner.Run(["-File", Path.Combine(_dir, "nope.ps1")]);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("nope.ps1", missing.StdErr);

        var badParam = ScriptRunner.Run(["-File", Script("p.ps1", "param([int] $N) $N"), "-N", "abc"]);
        Assert.Equal(1, badParam.ExitCode);
        Assert.Contains("Int32", badParam.StdErr);

        var usage = ScriptRunner.Run(["-Frobnicate"]);
        Assert.Equal(64, usage.ExitCode);
        Assert.Single(usage.StdErr.Trim().Split('\n'));
    }

    [Fact]
    public void Output_goes_to_stdout_and_warnings_errors_verbose_to_stderr()
    {
        var s = Script("streams.ps1", """
            [CmdletBinding()] param()
            'out-line'
            $PSCmdlet.WriteWarning('warn-line')
            $PSCmdlet.WriteVerbose('verbose-line')
            $PSCmdlet.WriteError([System.Management.Automation.ErrorRecord]::new([Exception]::new('error-line'), 'Id', 'NotSpecified', $null))
            """);
        var quiet = ScriptRunner.Run(["-File", s]);
        Assert.Equal("out-line", quiet.StdOut.Trim());
        Assert.Contains("WARNING: warn-line", quiet.StdErr);
        Assert.Contains("error-line", quiet.StdErr);
        Assert.DoesNotContain("verbose-line", quiet.StdErr + quiet.StdOut);
        Assert.Equal(0, quiet.ExitCode);

        var verbose = ScriptRunner.Run(["-File", s, "-Verbose"]);
        Assert.Contains("VERBOSE: verbose-line", verbose.StdErr);
        Assert.DoesNotContain("verbose-line", verbose.StdOut);
    }

    [Fact]
    public void Command_mode_and_the_module_by_name()
    {
        var r = ScriptRunner.Run(["-Command", "Import-Module QTickets; (Get-Command -Module QTickets).Name -contains 'Get-QTicketsConfig'; exit 5"]);
        Assert.True(r.ExitCode == 5, r.ToString());
        Assert.Equal("True", r.StdOut.Trim());
    }

    [Fact]
    public void SIGTERM_stops_the_pipeline_runs_finally_and_exits_143()
    {
        var marker = Path.Combine(_dir, "finally.txt");
        var s = Script("long.ps1", $$"""
            try { 'started'; [Console]::Out.Flush(); while ($true) { [Threading.Thread]::Sleep(100) } }
            finally { [IO.File]::WriteAllText('{{marker}}', 'ran') }
            """);
        using var p = Process.Start(ScriptRunner.StartInfo(["-File", s]))!;
        Assert.Equal("started", p.StandardOutput.ReadLine());
        var sw = Stopwatch.StartNew();
        Process.Start("kill", ["-TERM", p.Id.ToString()])!.WaitForExit();
        Assert.True(p.WaitForExit(TimeSpan.FromSeconds(10)), "the runner did not stop on SIGTERM");
        Assert.Equal(143, p.ExitCode);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"stopping took {sw.Elapsed}");
        Assert.Equal("ran", File.ReadAllText(marker));
    }
}
