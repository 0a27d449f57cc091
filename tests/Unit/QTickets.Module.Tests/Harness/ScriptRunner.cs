using System.Diagnostics;
using System.Text;

namespace QTickets.Module.Tests.Harness;

/// <summary>What one out/qtickets-pwsh process did.</summary>
public sealed record ProcessResult(int ExitCode, string StdOut, string StdErr, TimeSpan Elapsed)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{StdOut}\n--- stderr\n{StdErr}";
}

/// <summary>
/// Runs scripts the way users without pwsh run them: `out/qtickets-pwsh -File ...` as a separate process,
/// with the module importable by name.
/// </summary>
public static class ScriptRunner
{
    public static string RunnerDll => Path.Combine(ModuleLayout.OutDir, "pwsh", "QTickets.Pwsh.dll");

    public static ProcessStartInfo StartInfo(IEnumerable<string> args, IDictionary<string, string>? env = null, string? workingDirectory = null)
    {
        if (!File.Exists(RunnerDll)) throw new InvalidOperationException($"{RunnerDll} is missing: run './build.sh build'.");
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? ModuleLayout.RepoRoot,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add(RunnerDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["POWERSHELL_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["NO_COLOR"] = "1";
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
            throw new TimeoutException($"qtickets-pwsh {string.Join(' ', args)} did not finish in time.");
        }
        return new ProcessResult(p.ExitCode, stdout.Result, stderr.Result, sw.Elapsed);
    }
}
