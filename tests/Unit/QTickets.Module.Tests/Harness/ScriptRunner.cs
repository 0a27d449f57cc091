using System.Diagnostics;
using System.Text;

namespace QTickets.Module.Tests.Harness;

/// <summary>What one pwsh process did.</summary>
public sealed record ProcessResult(int ExitCode, string StdOut, string StdErr, TimeSpan Elapsed)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{StdOut}\n--- stderr\n{StdErr}";
}

/// <summary>
/// Runs scripts the way cron runs them: `pwsh -NoProfile -NonInteractive -File ...` as a separate process, in the
/// pwsh 7.6 that the test command installs (QTICKETS_TEST_PWSH; else the one out/tools.env names), with
/// out/ first on PSModulePath so the built module is importable by name.
/// </summary>
public static class ScriptRunner
{
    public static string PwshPath { get; } = FindPwsh();

    static string FindPwsh()
    {
        var path = Environment.GetEnvironmentVariable("QTICKETS_TEST_PWSH");
        var toolsEnv = Path.Combine(ModuleLayout.OutDir, "tools.env");
        if (string.IsNullOrEmpty(path) && File.Exists(toolsEnv))
            path = File.ReadAllLines(toolsEnv).Where(l => l.StartsWith("QTICKETS_PWSH=", StringComparison.Ordinal))
                .Select(l => l["QTICKETS_PWSH=".Length..]).LastOrDefault();
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
            throw new InvalidOperationException($"No pwsh 7.6 for the script tests (QTICKETS_TEST_PWSH='{path}'): run './build.sh test', " +
                                                "or './build.sh tools' once before 'dotnet test'.");
        return path;
    }

    public static ProcessStartInfo StartInfo(IEnumerable<string> args, IDictionary<string, string>? env = null, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo(PwshPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? ModuleLayout.RepoRoot,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add("-NoProfile");
        psi.ArgumentList.Add("-NonInteractive");
        foreach (var a in args.Where(a => a is not ("-NoProfile" or "-NonInteractive"))) psi.ArgumentList.Add(a);
        psi.Environment["POWERSHELL_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["POWERSHELL_UPDATECHECK"] = "Off";
        psi.Environment["NO_COLOR"] = "1";
        psi.Environment["PSModulePath"] = Environment.GetEnvironmentVariable("PSModulePath") is { Length: > 0 } inherited
            ? ModuleLayout.OutDir + Path.PathSeparator + inherited
            : ModuleLayout.OutDir;
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        return psi;
    }

    public static ProcessResult Run(IEnumerable<string> args, IDictionary<string, string>? env = null, TimeSpan? timeout = null, string? workingDirectory = null)
    {
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(StartInfo(args, env, workingDirectory))!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout ?? TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"pwsh {string.Join(' ', args)} did not finish in time.");
        }
        return new ProcessResult(p.ExitCode, stdout.Result, stderr.Result, sw.Elapsed);
    }
}
