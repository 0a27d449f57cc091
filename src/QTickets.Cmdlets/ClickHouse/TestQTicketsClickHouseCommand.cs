using System.Management.Automation;
using QTickets.Core.Contracts;

namespace QTickets.Cmdlets.ClickHouse;

/// <summary>
/// The legacy smoke checks: one result per check. When any fails it also writes an error, so
/// `$?` is false and a script run with -ErrorAction Stop exits non-zero.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "QTicketsClickHouse")]
[OutputType(typeof(SmokeCheckResult))]
public sealed class TestQTicketsClickHouseCommand : ClickHouseCmdlet
{
    /// <summary>meta_job_runs job name (default: the configured job, qtickets_api).</summary>
    [Parameter] [ValidateNotNullOrEmpty] public string? Job { get; set; }

    protected override void EndProcessing()
    {
        try
        {
            var job = Job ?? LoadConfig(QTickets.Core.Configuration.ConfigNeeds.ClickHouse).JobName;
            var results = Run(Store, (store, ct) => store.RunSmokeChecksAsync(job, ct));
            WriteObject(results, enumerateCollection: true);
            var failed = results.Where(r => !r.Passed).Select(r => r.Name).ToList();
            if (failed.Count > 0)
                WriteError(new ErrorRecord(
                    new InvalidOperationException($"{failed.Count} of {results.Count} ClickHouse smoke checks failed on {Store.Endpoint}: {string.Join(", ", failed)}."),
                    "QTickets.ClickHouse.SmokeCheckFailed", ErrorCategory.InvalidResult, failed));
        }
        catch (ClickHouseStoreException ex)
        {
            Fail(ex);
        }
    }
}
