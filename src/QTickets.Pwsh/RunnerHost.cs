using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Reflection;
using System.Security;

namespace QTickets.Pwsh;

/// <summary>
/// The PSHost of qtickets-pwsh: a non-interactive console host. The engine calls it for everything a script
/// shows (Out-Default output, errors, warnings, verbose, debug, information, "What if:" lines, progress) and
/// for <c>exit N</c> (SetShouldExit).
/// </summary>
internal sealed class RunnerHost : PSHost
{
    private readonly RunnerHostUI _ui = new();

    internal RunnerHostUI RunnerUI => _ui;
    private readonly CultureInfo _culture = CultureInfo.CurrentCulture;
    private readonly CultureInfo _uiCulture = CultureInfo.CurrentUICulture;

    public override string Name => "QTickets.Pwsh";

    public override Version Version { get; } =
        typeof(RunnerHost).Assembly.GetName().Version ?? new Version(0, 1, 0);

    public override Guid InstanceId { get; } = Guid.NewGuid();

    public override PSHostUserInterface UI => _ui;

    public override CultureInfo CurrentCulture => _culture;

    public override CultureInfo CurrentUICulture => _uiCulture;

    /// <summary>Set when the engine asked to exit (<c>exit N</c>); holds N.</summary>
    public int? ShouldExitCode { get; private set; }

    public override void SetShouldExit(int exitCode) => ShouldExitCode = exitCode;

    public override void EnterNestedPrompt() =>
        throw new PSNotSupportedException("qtickets-pwsh is non-interactive: nested prompts are not supported.");

    public override void ExitNestedPrompt() =>
        throw new PSNotSupportedException("qtickets-pwsh is non-interactive: nested prompts are not supported.");

    public override void NotifyBeginApplication()
    {
    }

    public override void NotifyEndApplication()
    {
    }
}

/// <summary>
/// stdout: output (already formatted by Out-Default), information/Write-Host records, "What if:" text.
/// stderr: errors, warnings, verbose, debug (as pwsh does), progress (only when stderr is a terminal).
/// Anything that would read input throws: the runner never waits for a human.
/// </summary>
internal sealed class RunnerHostUI : PSHostUserInterface, IHostUISupportsMultipleChoiceSelection
{
    internal const string NonInteractiveMessage =
        "qtickets-pwsh is non-interactive: reading input and prompting (Read-Host, -Confirm, $Host.UI.ReadLine, "
        + "credential prompts, -Debug inquiries) is not available. Pass values as parameters, use -Confirm:$false, "
        + "or set $DebugPreference='Continue'.";

    private static readonly bool s_stderrIsTerminal = !Console.IsErrorRedirected;
    private readonly RunnerRawUI _rawUI = new();
    private readonly object _lock = new();
    private bool _progressShown;

    public override PSHostRawUserInterface RawUI => _rawUI;

    /// <summary>
    /// Lets the engine keep ANSI styling (e.g. the error view's red) only when both stdout and stderr are terminals
    /// and colour is not switched off; with redirected output the engine renders plain text.
    /// </summary>
    public override bool SupportsVirtualTerminal { get; } =
        !Console.IsOutputRedirected && !Console.IsErrorRedirected
        && Environment.GetEnvironmentVariable("NO_COLOR") is null
        && Environment.GetEnvironmentVariable("TERM") is not (null or "" or "dumb");

    private static TextWriter Out => Console.Out;

    private static TextWriter Err => Console.Error;

    private void Locked(Action a)
    {
        lock (_lock)
        {
            ClearProgress();
            a();
        }
    }

    /// <summary>Strips ANSI sequences unless the host supports them and $PSStyle.OutputRendering allows (as pwsh's host).</summary>
    private string Render(string? text) => GetOutputString(text ?? string.Empty, SupportsVirtualTerminal);

    public override void Write(string value) => Locked(() => Out.Write(Render(value)));

    public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Write(value);

    public override void WriteLine(string value) => Locked(() => Out.WriteLine(Render(value)));

    public override void WriteLine() => Locked(() => Out.WriteLine());

    public override void WriteLine(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) =>
        WriteLine(value);

    /// <summary>How many non-blank error lines were written (lets the runner notice an error view that rendered nothing).</summary>
    public int ErrorLinesWritten;

    public override void WriteErrorLine(string value) => Locked(() =>
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            ErrorLinesWritten++;
        }

        Err.WriteLine(Render(value));
    });

    public override void WriteWarningLine(string message) => Locked(() => Err.WriteLine(Render("WARNING: " + message)));

    public override void WriteVerboseLine(string message) => Locked(() => Err.WriteLine(Render("VERBOSE: " + message)));

    public override void WriteDebugLine(string message) => Locked(() => Err.WriteLine(Render("DEBUG: " + message)));

    /// <summary>
    /// The engine calls this for every information record (for transcripts) whatever the preference; the records
    /// that are to be shown (Write-Host-style ones, and others when $InformationPreference is Continue) it also
    /// writes through Write/WriteLine, which is where they reach stdout. So nothing to do here.
    /// </summary>
    public override void WriteInformation(InformationRecord record)
    {
    }

    /// <summary>Progress: nothing when stderr is not a terminal (cron, pipes); else one overwritten stderr line.</summary>
    public override void WriteProgress(long sourceId, ProgressRecord record)
    {
        if (!s_stderrIsTerminal)
        {
            return;
        }

        lock (_lock)
        {
            if (record.RecordType == ProgressRecordType.Completed)
            {
                ClearProgress();
                return;
            }

            string pct = record.PercentComplete >= 0 ? $" {record.PercentComplete}%" : string.Empty;
            string line = $"{record.Activity}: {record.StatusDescription}{pct}";
            int width = Math.Max(20, _rawUI.BufferSize.Width - 1);
            if (line.Length > width)
            {
                line = line[..width];
            }

            Err.Write("\r" + line.PadRight(width) + "\r");
            _progressShown = true;
        }
    }

    private void ClearProgress()
    {
        if (_progressShown)
        {
            int width = Math.Max(20, _rawUI.BufferSize.Width - 1);
            Err.Write("\r" + new string(' ', width) + "\r");
            _progressShown = false;
        }
    }

    public override string ReadLine() => throw NonInteractive();

    public override SecureString ReadLineAsSecureString() => throw NonInteractive();

    public override Dictionary<string, PSObject> Prompt(
        string caption, string message, System.Collections.ObjectModel.Collection<FieldDescription> descriptions) =>
        throw NonInteractive();

    public override int PromptForChoice(
        string caption, string message, System.Collections.ObjectModel.Collection<ChoiceDescription> choices,
        int defaultChoice) => throw NonInteractive();

    public System.Collections.ObjectModel.Collection<int> PromptForChoice(
        string? caption, string? message, System.Collections.ObjectModel.Collection<ChoiceDescription> choices,
        IEnumerable<int>? defaultChoices) => throw NonInteractive();

    public override PSCredential PromptForCredential(
        string caption, string message, string userName, string targetName) => throw NonInteractive();

    public override PSCredential PromptForCredential(
        string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes,
        PSCredentialUIOptions options) => throw NonInteractive();

    private static PSInvalidOperationException NonInteractive() => new(NonInteractiveMessage);
}

/// <summary>Just enough RawUI for the formatter (width) and scripts that read $Host.UI.RawUI.</summary>
internal sealed class RunnerRawUI : PSHostRawUserInterface
{
    private readonly int _width = DetectWidth();

    private static int DetectWidth()
    {
        if (!Console.IsOutputRedirected)
        {
            try
            {
                int w = Console.WindowWidth;
                if (w > 0)
                {
                    return w;
                }
            }
            catch (IOException)
            {
            }
        }

        // Redirected (cron, pipes, files): COLUMNS if given, else 120 columns, pwsh's usual fallback.
        return int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out int c) && c > 0 ? c : 120;
    }

    public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;

    public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;

    public override Size BufferSize
    {
        get => new(_width, 9001);
        set { }
    }

    public override Coordinates CursorPosition { get; set; }

    public override int CursorSize { get; set; } = 25;

    public override bool KeyAvailable => false;

    public override Size MaxPhysicalWindowSize => new(_width, 50);

    public override Size MaxWindowSize => new(_width, 50);

    public override Coordinates WindowPosition { get; set; }

    public override Size WindowSize
    {
        get => new(_width, 50);
        set { }
    }

    public override string WindowTitle { get; set; } = "qtickets-pwsh";

    public override void FlushInputBuffer()
    {
    }

    public override BufferCell[,] GetBufferContents(Rectangle rectangle) =>
        throw new PSNotSupportedException("qtickets-pwsh has no screen buffer.");

    public override KeyInfo ReadKey(ReadKeyOptions options) =>
        throw new PSInvalidOperationException(RunnerHostUI.NonInteractiveMessage);

    public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill)
    {
    }

    public override void SetBufferContents(Coordinates origin, BufferCell[,] contents)
    {
    }

    public override void SetBufferContents(Rectangle rectangle, BufferCell fill)
    {
    }
}

/// <summary>Access to the few engine internals the runner needs to behave exactly like pwsh.</summary>
internal static class EngineInternals
{
    private const BindingFlags Any = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

    /// <summary>
    /// pwsh -File sets ExecutionContext.ScriptCommandProcessorShouldRethrowExit so that <c>exit N</c> in the script
    /// ends the whole pipeline and reaches the host's SetShouldExit(N). Without it, a script run as a command just
    /// returns and only sets $LASTEXITCODE. Returns false if the engine does not have the member any more.
    /// </summary>
    public static bool TrySetRethrowExit(System.Management.Automation.Runspaces.Runspace runspace)
    {
        try
        {
            object? ctx = runspace.GetType().GetProperty("ExecutionContext", Any)?.GetValue(runspace);
            PropertyInfo? p = ctx?.GetType().GetProperty("ScriptCommandProcessorShouldRethrowExit", Any);
            if (p is null || ctx is null)
            {
                return false;
            }

            p.SetValue(ctx, true);
            return true;
        }
        catch (Exception)
        {
            return false;
        }
    }

    /// <summary>Marks an object as error-stream output so Out-Default renders it with the error view (pwsh's ReportException).</summary>
    public static bool TryMarkAsError(PSObject obj)
    {
        try
        {
            PropertyInfo? p = typeof(PSObject).GetProperty("WriteStream", Any);
            if (p is null)
            {
                return false;
            }

            p.SetValue(obj, Enum.Parse(p.PropertyType, "Error"));
            return true;
        }
        catch (Exception)
        {
            return false;
        }
    }
}
