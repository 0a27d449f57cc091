using System.Collections.Concurrent;
using System.Management.Automation;
using QTickets.Configuration;
using QTickets.Contracts;
using QTickets.Store;

namespace QTickets.Cmdlets;

/// <summary>
/// Base of the ClickHouse cmdlets: connection parameters over the configuration (CLICKHOUSE_* variables and
/// -EnvFile), one store per command, and <see cref="Await{T}(Task{T})"/>, which waits for engine work on the
/// pipeline thread while writing what the engine reported meanwhile. Waiting there (rather than in
/// RunOnPipeline) keeps ShouldProcess and the input stream on that thread: Write-QTicketsClickHouse takes a row
/// per ProcessRecord and Initialize asks ShouldProcess per migration.
/// </summary>
public abstract class ClickHouseCmdlet : QTicketsCmdlet, IDisposable, IRunObserver
{
    readonly ConcurrentQueue<Action<Cmdlet>> _pending = new();
    IClickHouseStore? _store;

    [Parameter] [ValidateNotNullOrEmpty] public string? ClickHouseHost { get; set; }
    [Parameter] [ValidateRange(1, 65535)] public int ClickHousePort { get; set; }
    /// <summary>Database (CLICKHOUSE_DB); every table is qualified with it.</summary>
    [Parameter] [ValidateNotNullOrEmpty] public string? Database { get; set; }
    /// <summary>User and password instead of CLICKHOUSE_USER / CLICKHOUSE_PASSWORD (e.g. an administrator for Initialize).</summary>
    [Parameter] [Credential] public PSCredential? Credential { get; set; }

    protected override void AddParameters(ConfigLoader loader)
    {
        loader.WithParameter("ClickHouseHost", ClickHouseHost)
            .WithParameter("ClickHousePort", ClickHousePort > 0 ? ClickHousePort.ToString(System.Globalization.CultureInfo.InvariantCulture) : null)
            .WithParameter("ClickHouseDatabase", Database);
        if (Credential is not null)
            loader.WithParameter("ClickHouseUser", Credential.UserName)
                .WithParameter("ClickHousePassword", Credential.GetNetworkCredential().Password);
    }

    /// <summary>The store, created on first use from the effective configuration.</summary>
    protected IClickHouseStore Store => _store ??= Engine.CreateClickHouseStore(LoadConfig(ConfigNeeds.ClickHouse), this);

    /// <summary>Blocks the pipeline thread until <paramref name="task"/> ends, writing pending records meanwhile.</summary>
    protected T Await<T>(Task<T> task)
    {
        Wait(task);
        return task.GetAwaiter().GetResult();
    }

    protected void Await(Task task)
    {
        Wait(task);
        task.GetAwaiter().GetResult();
    }

    protected void Await(ValueTask task)
    {
        if (task.IsCompletedSuccessfully) return;
        Await(task.AsTask());
    }

    void Wait(Task task)
    {
        // Not task.Wait: it would wrap a failure in AggregateException; GetResult rethrows the engine's own.
        while (!((IAsyncResult)task).AsyncWaitHandle.WaitOne(50)) Flush();
        Flush();
    }

    /// <summary>Writes what engine work reported (verbose, warnings, progress) from the pipeline thread.</summary>
    protected void Flush()
    {
        while (_pending.TryDequeue(out var action)) action(this);
    }

    void IRunObserver.Verbose(string message) => _pending.Enqueue(c => c.WriteVerbose(message));

    void IRunObserver.Warning(string message) => _pending.Enqueue(c => c.WriteWarning(message));

    void IRunObserver.Progress(ProgressUpdate update) => _pending.Enqueue(c => c.WriteProgress(
        new ProgressRecord(update.ActivityId, update.Activity, update.Status.Length == 0 ? " " : update.Status)
        {
            PercentComplete = update.PercentComplete,
            RecordType = update.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
        }));

    /// <summary>Ends the command with an error record whose id, category and message fit the failure.</summary>
    protected void Fail(ClickHouseStoreException ex, object? target = null)
    {
        Flush();
        var category = ex.Failure switch
        {
            ClickHouseFailure.Unreachable => ErrorCategory.ConnectionError,
            ClickHouseFailure.AuthenticationFailed => ErrorCategory.AuthenticationError,
            ClickHouseFailure.ReadOnlyUser or ClickHouseFailure.AccessDenied => ErrorCategory.PermissionDenied,
            ClickHouseFailure.TableMissing or ClickHouseFailure.ColumnMissing or ClickHouseFailure.DatabaseMissing => ErrorCategory.ObjectNotFound,
            ClickHouseFailure.TypeMismatch => ErrorCategory.InvalidData,
            ClickHouseFailure.Cancelled => ErrorCategory.OperationStopped,
            _ => ErrorCategory.InvalidOperation,
        };
        ThrowTerminatingError(new ErrorRecord(ex, "QTickets.ClickHouse." + ex.Failure, category, target ?? ex.Table ?? ex.Column));
    }

    /// <summary>True when -WhatIf (or $WhatIfPreference) is in effect: count and describe, never connect.</summary>
    protected bool IsWhatIf =>
        MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w) ? ((SwitchParameter)w).IsPresent
            : GetVariableValue("WhatIfPreference") is bool b ? b : GetVariableValue("WhatIfPreference") is SwitchParameter s && s.IsPresent;

    public void Dispose()
    {
        DisposeWriters();
        _store?.Dispose();
        _store = null;
        GC.SuppressFinalize(this);
    }

    protected virtual void DisposeWriters() { }
}
