// qtickets-pwsh: runs PowerShell scripts in the real PowerShell 7.6 engine (NuGet System.Management.Automation
// 7.6.9) on machines without pwsh. Laid out as out/pwsh/QTickets.Pwsh.dll, started by out/qtickets-pwsh.
//
// BEHAVIOUR CONTRACT (what the tests should pin down)
//   Command line (host options are case-insensitive and may be abbreviated like pwsh: -f -c -nop -noni):
//     qtickets-pwsh [-NoProfile] [-NonInteractive] [-NoLogo] [-ExecutionPolicy X] [-WorkingDirectory D]
//                   -File <script.ps1> [script args...]
//     qtickets-pwsh [...] <script.ps1> [script args...]           (bare first argument = -File, as in pwsh 7)
//     qtickets-pwsh [...] -Command|-c '<text>' [more text...]     (the rest is joined with spaces)
//     qtickets-pwsh [...] -Command -                              (script text from stdin)
//     qtickets-pwsh -Version | -Help | -h | -?
//   Script args follow pwsh -File: '-Name value' and '-Name:value' are named ('-S:$false'/'-S:false' -> bool),
//   '-Switch' alone is a switch, anything else is positional; values are converted by the engine's binder
//   ('-SinceHours 24' binds to [int]; '-Names a,b' is ONE string "a,b" as in pwsh -File, not an array; pass
//   several positional values to a ValueFromRemainingArguments parameter for lists).
//   -NoProfile/-NonInteractive/-NoLogo/-ExecutionPolicy are accepted and change nothing (no profiles are ever
//   run; the host never prompts). An unknown host option, or nothing to run -> one line on stderr, exit 64.
//   Exit codes:
//     -File:    'exit N' -> N; uncaught terminating error (throw, parameter binding error, parse error) -> 1;
//               script not found -> 1 (pwsh itself says 64 there); otherwise 0, even after non-terminating errors.
//     -Command: 'exit N' -> N; otherwise 0 if the last statement succeeded ($? true), else 1 (pwsh's rule).
//     Ctrl+C (SIGINT) -> pipeline stopped (cmdlets' StopProcessing runs), 130; SIGTERM -> same, 143.
//     A second signal, or the pipeline not stopping within 10 s, ends the process at once with the same code.
//     Usage error -> 64.  -Version/-Help -> 0.
//   Streams:
//     stdout: pipeline output rendered by the engine's Out-Default (tables/lists as in pwsh, strings plain),
//             [Console]::Out writes, Write-Information records when InformationPreference allows, Write-Host-style
//             records (HostInformationMessage) always, $Host.UI.Write/WriteLine, "What if: ..." lines.
//     stderr: errors in pwsh's ConciseView (non-terminating from a command: "<Command>: <message>", terminating
//             from a script: "Exception: <file>:<line>" + source excerpt + message, or just "<message>"),
//             "WARNING: x", "VERBOSE: x" (only with -Verbose / $VerbosePreference='Continue'), "DEBUG: x".
//             Progress is never written when stderr is not a terminal.
//     ANSI colour only when stdout and stderr are terminals, TERM is set and not 'dumb', and NO_COLOR is unset.
//   Prompts (-Confirm, $Host.UI.ReadLine/Prompt/PromptForChoice, credential prompts) throw
//   PSInvalidOperationException immediately (message starts "qtickets-pwsh is non-interactive") instead of waiting.
//   Environment: POWERSHELL_TELEMETRY_OPTOUT=1 is set for the engine. PSModulePath gets, in front,
//   $QTICKETS_MODULE_PATH if set, else the folder above the runner dll (out/, where out/QTickets/QTickets.psd1
//   lives), so 'Import-Module QTickets' works by name. $Host.Name is 'QTickets.Pwsh'.
//   Engine: InitialSessionState.CreateDefault2() = the engine's core cmdlets only. NOT available (they live in
//   Microsoft.PowerShell.Utility/Management, which NuGet does not serve): Write-Output, Write-Host,
//   Write-Verbose, Write-Warning, Write-Error, Write-Information, Select-Object, Sort-Object, ConvertTo-Json,
//   Get-Date, Join-Path, Test-Path, Get-ChildItem, Start-Sleep, New-Object, Add-Type ... Use implicit output,
//   $PSCmdlet.WriteVerbose/WriteWarning/WriteError/WriteInformation in [CmdletBinding()] scripts, .NET
//   ([IO.Path]::Combine, [IO.File]::Exists, [DateTime]::UtcNow, [Threading.Thread]::Sleep), and the module.
//   `qtickets-pwsh -Help` prints the full list of available commands.
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.InteropServices;

namespace QTickets.Pwsh;

internal static class Program
{
    internal const int ExitUsage = 64;
    internal const int ExitSigInt = 130;
    internal const int ExitSigTerm = 143;
    internal static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    public static int Main(string[] args)
    {
        CommandLine cl;
        try
        {
            cl = CommandLine.Parse(args);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine("qtickets-pwsh: " + e.Message);
            return ExitUsage;
        }

        switch (cl.Mode)
        {
            case RunMode.Version:
                Console.Out.WriteLine($"qtickets-pwsh {HostVersion()} (PowerShell {EngineVersion()} engine)");
                return 0;
            case RunMode.Help:
                Console.Out.Write(HelpText.Build(ListCommands));
                return 0;
        }

        return new Runner(cl).Run();
    }

    internal static string HostVersion() => typeof(Program).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    internal static string EngineVersion() =>
        typeof(PSObject).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion
            .Split(' ', '+')[0]
        ?? typeof(PSObject).Assembly.GetName().Version?.ToString() ?? "?";

    /// <summary>Opens a runspace like the runner's and returns "Name (Type)" of every command in it.</summary>
    private static IReadOnlyList<string> ListCommands()
    {
        try
        {
            Runner.PrepareEnvironment();
            using var rs = RunspaceFactory.CreateRunspace(new RunnerHost(), InitialSessionState.CreateDefault2());
            rs.Open();
            using var ps = PowerShell.Create(rs);
            ps.AddCommand("Get-Command");
            return ps.Invoke().Select(o => o.BaseObject).OfType<CommandInfo>()
                .Select(c => $"{c.Name} ({c.CommandType})").ToList();
        }
        catch (Exception e)
        {
            return [$"(could not list commands: {e.Message})"];
        }
    }
}

/// <summary>Runs one -File or -Command in a fresh runspace and maps the result to an exit code.</summary>
internal sealed class Runner(CommandLine cl)
{
    private readonly RunnerHost _host = new();
    private const string LastStatusVariable = "__QTicketsPwshLastStatus";
    private PowerShell? _ps;
    private volatile int _signalExit;
    private int _signals;

    /// <summary>
    /// Telemetry off; our module folder first in PSModulePath. Called before the runspace opens and again after:
    /// opening puts the user's and the shared module folders in front, and ours must win over any stale copy there.
    /// </summary>
    internal static void PrepareEnvironment()
    {
        Environment.SetEnvironmentVariable("POWERSHELL_TELEMETRY_OPTOUT", "1");
        string moduleDir = Environment.GetEnvironmentVariable("QTICKETS_MODULE_PATH") is { Length: > 0 } m
            ? m
            : Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, ".."));
        moduleDir = moduleDir.TrimEnd('/') is { Length: > 0 } t ? t : moduleDir;
        var rest = (Environment.GetEnvironmentVariable("PSModulePath") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => !string.Equals(p.TrimEnd('/'), moduleDir, StringComparison.Ordinal));
        Environment.SetEnvironmentVariable(
            "PSModulePath", string.Join(Path.PathSeparator, new[] { moduleDir }.Concat(rest)));
    }

    public int Run()
    {
        PrepareEnvironment();
        if (cl.WorkingDirectory is { } wd)
        {
            try
            {
                Directory.SetCurrentDirectory(wd);
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"qtickets-pwsh: cannot change to working directory '{wd}': {e.Message}");
                return 1;
            }
        }

        string? scriptPath = null;
        string? commandText = null;
        if (cl.Mode == RunMode.File)
        {
            scriptPath = Path.GetFullPath(cl.FilePath!);
            if (!File.Exists(scriptPath))
            {
                Console.Error.WriteLine(
                    $"The argument '{cl.FilePath}' is not recognized as the name of a script file. "
                    + "Check the spelling of the name, or if a path was included, verify that the path is correct and try again.");
                return 1;
            }
        }
        else
        {
            commandText = cl.ReadCommandFromStdin ? Console.In.ReadToEnd() : cl.CommandText!;
        }

        using Runspace rs = RunspaceFactory.CreateRunspace(_host, InitialSessionState.CreateDefault2());
        rs.Open();
        PrepareEnvironment();
        using var ps = PowerShell.Create(rs);
        _ps = ps;

        using var sigTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => OnSignal(ctx, Program.ExitSigTerm));
        using var sigInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => OnSignal(ctx, Program.ExitSigInt));

        if (scriptPath != null)
        {
            // As pwsh -File: the script as a command (so $PSScriptRoot, $MyInvocation, param() binding work),
            // 'exit N' rethrown to the host, errors merged into Out-Default so they render like in pwsh.
            EngineInternals.TrySetRethrowExit(rs);
            var cmd = new Command(scriptPath, isScript: false, useLocalScope: false);
            foreach (CommandParameter p in cl.ScriptArgs)
            {
                cmd.Parameters.Add(p);
            }

            ps.Commands.AddCommand(cmd);
        }
        else
        {
            // pwsh -Command exits 1 when $? is false after the last statement. The engine resets $? when the
            // pipeline ends, so the script records it itself in a trailing statement (same line numbers).
            // Text that does not parse is run as given, so the engine reports the user's own parse error.
            System.Management.Automation.Language.Parser.ParseInput(commandText, out _, out var parseErrors);
            string text = parseErrors.Length == 0 ? commandText + "\n$global:" + LastStatusVariable + " = $?" : commandText!;
            ps.Commands.AddCommand(new Command(text, isScript: true, useLocalScope: false));
        }

        ps.Commands.Commands[0].MergeMyResults(PipelineResultTypes.Error, PipelineResultTypes.Output);
        ps.Commands.AddCommand(new Command("Out-Default", isScript: false, useLocalScope: true));

        Exception? failure = null;
        try
        {
            IAsyncResult ar = ps.BeginInvoke<PSObject>(null);
            ps.EndInvoke(ar);
        }
        catch (Exception e)
        {
            failure = e;
        }

        if (_signalExit != 0)
        {
            Flush();
            return _signalExit;
        }

        if (_host.ShouldExitCode is int exitCode)
        {
            Flush();
            return exitCode;
        }

        if (failure != null)
        {
            ReportException(rs, failure);
            Flush();
            return 1;
        }

        if (cl.Mode == RunMode.Command)
        {
            // pwsh -Command: the exit code is 0 when $? is true after the last statement, else 1.
            bool ok = rs.SessionStateProxy.GetVariable("global:" + LastStatusVariable) is not false;
            Flush();
            return ok ? 0 : 1;
        }

        Flush();
        return 0;
    }

    private void OnSignal(PosixSignalContext ctx, int code)
    {
        ctx.Cancel = true; // we exit ourselves, with pwsh-like codes, after the pipeline has stopped
        if (Interlocked.Increment(ref _signals) > 1)
        {
            Flush();
            Environment.Exit(_signalExit == 0 ? code : _signalExit);
        }

        _signalExit = code;
        try
        {
            _ps?.BeginStop(null, null);
        }
        catch (Exception)
        {
            // already finished or disposed
        }

        // If a cmdlet ignores StopProcessing (e.g. stuck in a blocking .NET call), do not hang forever.
        var watchdog = new Thread(() =>
        {
            Thread.Sleep(Program.StopGrace);
            Console.Error.WriteLine("qtickets-pwsh: pipeline did not stop in time; exiting.");
            Flush();
            Environment.Exit(code);
        })
        { IsBackground = true };
        watchdog.Start();
    }

    /// <summary>Like pwsh's ReportException: the error record through Out-Default as error-stream output.</summary>
    private void ReportException(Runspace rs, Exception e)
    {
        ErrorRecord record = e is IContainsErrorRecord icer
            ? icer.ErrorRecord
            : new ErrorRecord(e, "QTickets.Pwsh.ReportException", ErrorCategory.NotSpecified, null);
        var wrapped = new PSObject(record);
        if (EngineInternals.TryMarkAsError(wrapped))
        {
            try
            {
                using var p = PowerShell.Create(rs);
                p.Commands.AddCommand(new Command("Out-Default", isScript: false, useLocalScope: true));
                int before = _host.RunnerUI.ErrorLinesWritten;
                p.Invoke(new object[] { wrapped });
                if (_host.RunnerUI.ErrorLinesWritten > before)
                {
                    return;
                }
            }
            catch (Exception)
            {
                // fall through to the plain rendering
            }
        }

        string kind = record.CategoryInfo.Category == ErrorCategory.ParserError ? "ParserError" : record.Exception?.GetType().Name ?? "Error";
        Console.Error.WriteLine($"{kind}: {record.Exception?.Message ?? e.Message}");
        if (record.InvocationInfo?.PositionMessage is { Length: > 0 } pos)
        {
            Console.Error.WriteLine(pos);
        }
    }

    private static void Flush()
    {
        try
        {
            Console.Out.Flush();
            Console.Error.Flush();
        }
        catch (Exception)
        {
        }
    }
}
