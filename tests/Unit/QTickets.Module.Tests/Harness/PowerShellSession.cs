using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace QTickets.Module.Tests.Harness;

/// <summary>What one script run produced, stream by stream.</summary>
public sealed class RunResult
{
    public required IReadOnlyList<PSObject> Output { get; init; }
    public required IReadOnlyList<ErrorRecord> Errors { get; init; }
    public required IReadOnlyList<string> Warnings { get; init; }
    public required IReadOnlyList<string> Verbose { get; init; }
    public required IReadOnlyList<string> Debug { get; init; }
    public required IReadOnlyList<ProgressRecord> Progress { get; init; }
    public required IReadOnlyList<string> Information { get; init; }
    /// <summary>Text written through the host (e.g. "What if: ..." lines).</summary>
    public required IReadOnlyList<string> HostLines { get; init; }
    /// <summary>The terminating error, if the run ended with one.</summary>
    public RuntimeException? Terminating { get; init; }

    public IEnumerable<T> Objects<T>() => Output.Select(o => o.BaseObject).OfType<T>();

    /// <summary>Every piece of text any stream carried, for scans (secrets, personal data).</summary>
    public string AllText() => string.Join("\n",
        Output.Select(o => o?.ToString() ?? "")
            .Concat(Errors.Select(e => e.ToString() + " " + e.ErrorDetails?.Message + " " + e.Exception))
            .Concat(Warnings).Concat(Verbose).Concat(Debug).Concat(Information).Concat(HostLines)
            .Concat(Progress.Select(p => p.Activity + " " + p.StatusDescription))
            .Concat(Terminating is null ? Array.Empty<string>() : new[] { Terminating.ToString() }));
}

/// <summary>
/// The real PowerShell 7.6 engine, in-process, with the built module imported from out/QTickets exactly as
/// users' pwsh would import it. One runspace per session; each Run is a fresh pipeline in it.
/// </summary>
public sealed class PowerShellSession : IDisposable
{
    readonly Runspace _runspace;

    public PowerShellSession(bool importModule = true)
    {
        Environment.SetEnvironmentVariable("POWERSHELL_TELEMETRY_OPTOUT", "1");
        Host = new RecordingHost();
        var state = InitialSessionState.CreateDefault2();
        _runspace = RunspaceFactory.CreateRunspace(Host, state);
        _runspace.Open();
        if (importModule)
        {
            var r = Run($"Import-Module '{ModuleLayout.ManifestPath}' -ErrorAction Stop");
            if (r.Terminating is not null || r.Errors.Count > 0)
                throw new InvalidOperationException("Import-Module failed: " + (r.Terminating?.Message ?? r.Errors[0].ToString()));
        }
    }

    public RecordingHost Host { get; }

    public Runspace Runspace => _runspace;

    /// <summary>Runs a script. Variables are set in the session first (e.g. paths, secrets to pass).</summary>
    public RunResult Run(string script, IDictionary? variables = null)
    {
        if (variables is not null)
            foreach (DictionaryEntry v in variables)
                _runspace.SessionStateProxy.SetVariable((string)v.Key, v.Value);
        Host.Clear();
        using var ps = PowerShell.Create();
        ps.Runspace = _runspace;
        ps.AddScript(script);
        var output = new List<PSObject>();
        RuntimeException? terminating = null;
        try
        {
            foreach (var o in ps.Invoke()) output.Add(o);
        }
        catch (RuntimeException ex)
        {
            terminating = ex;
        }
        return new RunResult
        {
            Output = output,
            Errors = ps.Streams.Error.ToList(),
            Warnings = ps.Streams.Warning.Select(w => w.Message).ToList(),
            Verbose = ps.Streams.Verbose.Select(v => v.Message).ToList(),
            Debug = ps.Streams.Debug.Select(d => d.Message).ToList(),
            Progress = ps.Streams.Progress.ToList(),
            Information = ps.Streams.Information.Select(i => i.MessageData?.ToString() ?? "").ToList(),
            HostLines = Host.Lines,
            Terminating = terminating,
        };
    }

    public void Dispose() => _runspace.Dispose();
}
