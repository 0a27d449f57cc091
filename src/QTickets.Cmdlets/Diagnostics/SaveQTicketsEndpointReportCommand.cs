using System.Management.Automation;
using QTickets.Core.Diagnostics;

namespace QTickets.Cmdlets.Diagnostics;

/// <summary>
/// Writes the debug protocol's artifacts for a Test-QTicketsEndpoint run into a folder (per step body, headers
/// and outcome, step00_env.txt, final_report.md, README_TESTING.md, support_ticket_draft.md) and the folder as
/// a .tar.gz beside it. Takes the verdict from the pipeline (the probe results it was piped with are carried
/// by the verdict and ignored here).
/// </summary>
[Cmdlet(VerbsData.Save, "QTicketsEndpointReport", SupportsShouldProcess = true)]
[OutputType(typeof(EndpointReport))]
public sealed class SaveQTicketsEndpointReportCommand : PSCmdlet
{
    // Not a QTicketsCmdlet (no connection): its error records get their fix the same way (ErrorRemedy).
    new void WriteError(ErrorRecord errorRecord) => base.WriteError(ErrorRemedy.Attach(errorRecord, MyInvocation));

    new void ThrowTerminatingError(ErrorRecord errorRecord) => base.ThrowTerminatingError(ErrorRemedy.Attach(errorRecord, MyInvocation));

    EndpointVerdict? _verdict;

    /// <summary>Test-QTicketsEndpoint's output, or just its verdict.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public object? InputObject { get; set; }

    /// <summary>The folder to write into (created if missing; files of the same name are overwritten).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>Lines added to step00_env.txt, final_report.md and README_TESTING.md (e.g. why step G did not run).</summary>
    [Parameter]
    public string[]? Note { get; set; }

    /// <summary>Where to write the archive; default: the folder's path + .tar.gz.</summary>
    [Parameter]
    public string? ArchivePath { get; set; }

    /// <summary>Writes no .tar.gz.</summary>
    [Parameter]
    public SwitchParameter NoArchive { get; set; }

    protected override void ProcessRecord()
    {
        switch (InputObject is PSObject pso ? pso.BaseObject : InputObject)
        {
            case EndpointVerdict verdict:
                _verdict = verdict;
                break;
            case EndpointProbeResult:
                break;
            default:
                WriteError(new ErrorRecord(
                    new ArgumentException("Save-QTicketsEndpointReport takes the output of Test-QTicketsEndpoint; got " + (InputObject?.GetType().FullName ?? "null") + "."),
                    "QTickets.Diagnostics.UnexpectedInput", ErrorCategory.InvalidType, InputObject));
                break;
        }
    }

    protected override void EndProcessing()
    {
        if (_verdict is null)
            ThrowTerminatingError(new ErrorRecord(
                new ArgumentException("No EndpointVerdict in the input: pipe the whole output of Test-QTicketsEndpoint (or of Test-QTicketsEndpoint -Verdict)."),
                "QTickets.Diagnostics.NoVerdict", ErrorCategory.InvalidArgument, null));
        var directory = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        var archive = ArchivePath is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(ArchivePath);
        if (!ShouldProcess(directory, "Write the QTickets debug protocol report")) return;
        try
        {
            var report = EndpointReportWriter.Write(_verdict!, directory, Note, archive, archive: !NoArchive);
            WriteVerbose($"Wrote {report.Files.Count} files to {report.Directory}" + (report.Archive is null ? "" : $" and {report.Archive}"));
            WriteObject(report);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "QTickets.Diagnostics.WriteFailed", ErrorCategory.WriteError, directory));
        }
    }
}
