using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
using System.Text;

namespace QTickets.Module.Tests.Harness;

/// <summary>
/// A PSHost that records everything written to it. Needed because the engine writes "What if:" text, and
/// prompts for -Confirm, only through a host; without one, -WhatIf output is invisible to tests.
/// </summary>
public sealed class RecordingHost : PSHost
{
    readonly RecordingUserInterface _ui = new();
    readonly Guid _id = Guid.NewGuid();

    public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
    public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;
    public override Guid InstanceId => _id;
    public override string Name => "QTickets.RecordingHost";
    public override PSHostUserInterface UI => _ui;
    public override Version Version => new(1, 0);
    public int? ExitCode { get; private set; }

    /// <summary>Everything written through the host UI, one entry per Write/WriteLine call.</summary>
    public IReadOnlyList<string> Lines => _ui.Lines;

    public void Clear() => _ui.Clear();

    public override void EnterNestedPrompt() => throw new NotSupportedException();
    public override void ExitNestedPrompt() => throw new NotSupportedException();
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }
    public override void SetShouldExit(int exitCode) => ExitCode = exitCode;

    sealed class RecordingUserInterface : PSHostUserInterface
    {
        readonly List<string> _lines = new();
        readonly StringBuilder _partial = new();
        readonly RawUi _raw = new();

        public IReadOnlyList<string> Lines { get { lock (_lines) return _lines.ToArray(); } }
        public void Clear() { lock (_lines) { _lines.Clear(); _partial.Clear(); } }

        void Add(string text) { lock (_lines) _lines.Add(text); }

        public override PSHostRawUserInterface RawUI => _raw;
        public override string ReadLine() => throw new InvalidOperationException("The test host cannot read input.");
        public override SecureString ReadLineAsSecureString() => throw new InvalidOperationException("The test host cannot read input.");
        public override void Write(string value) { lock (_lines) _partial.Append(value); }
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Write(value);
        public override void WriteLine(string value)
        {
            lock (_lines) { _lines.Add(_partial + value); _partial.Clear(); }
        }
        public override void WriteErrorLine(string value) => Add("ERROR: " + value);
        public override void WriteDebugLine(string message) => Add("DEBUG: " + message);
        public override void WriteVerboseLine(string message) => Add("VERBOSE: " + message);
        public override void WriteWarningLine(string message) => Add("WARNING: " + message);
        public override void WriteProgress(long sourceId, ProgressRecord record) { }
        public override Dictionary<string, PSObject> Prompt(string caption, string message, System.Collections.ObjectModel.Collection<FieldDescription> descriptions)
            => throw new InvalidOperationException("The test host cannot prompt: " + message);
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName)
            => throw new InvalidOperationException("The test host cannot prompt.");
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options)
            => throw new InvalidOperationException("The test host cannot prompt.");
        public override int PromptForChoice(string caption, string message, System.Collections.ObjectModel.Collection<ChoiceDescription> choices, int defaultChoice)
        {
            Add("PROMPT: " + caption + " " + message);
            return defaultChoice;
        }
    }

    sealed class RawUi : PSHostRawUserInterface
    {
        public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;
        public override Size BufferSize { get; set; } = new(120, 50);
        public override Coordinates CursorPosition { get; set; }
        public override int CursorSize { get; set; }
        public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.White;
        public override bool KeyAvailable => false;
        public override Size MaxPhysicalWindowSize => new(120, 50);
        public override Size MaxWindowSize => new(120, 50);
        public override Coordinates WindowPosition { get; set; }
        public override Size WindowSize { get; set; } = new(120, 50);
        public override string WindowTitle { get; set; } = "";
        public override void FlushInputBuffer() { }
        public override BufferCell[,] GetBufferContents(Rectangle rectangle) => new BufferCell[0, 0];
        public override KeyInfo ReadKey(ReadKeyOptions options) => throw new InvalidOperationException("The test host cannot read keys.");
        public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }
        public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }
        public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }
    }
}
