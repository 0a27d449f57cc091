using System.Management.Automation;
using QTickets.Core.Configuration;
using QTickets.Core.Contracts;

namespace QTickets.Cmdlets.ClickHouse;

/// <summary>
/// Base of the ClickHouse cmdlets: connection parameters over the configuration (CLICKHOUSE_* variables and
/// -EnvFile), one store per command, reporting through the command's queue. The cmdlets run each store call on
/// its own (QTicketsCmdlet.Run) rather than whole blocks on a worker, which keeps ShouldProcess and the input
/// stream on the pipeline thread: Write-QTicketsClickHouse takes a row per ProcessRecord and Initialize asks
/// ShouldProcess per migration.
/// </summary>
public abstract class ClickHouseCmdlet : QTicketsCmdlet, IDisposable
{
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
    protected IClickHouseStore Store => _store ??= Engine.CreateClickHouseStore(LoadConfig(ConfigNeeds.ClickHouse), Queue);

    /// <summary>
    /// <see cref="QTicketsCmdlet.Run{T}"/> with the store passed in: the caller's thread (the pipeline's) creates it,
    /// since creating it reads the configuration and writes verbose lines, which only that thread may do.
    /// </summary>
    protected T Run<T>(IClickHouseStore store, Func<IClickHouseStore, CancellationToken, Task<T>> work) => Run(ct => work(store, ct));

    /// <inheritdoc cref="Run{T}(IClickHouseStore, Func{IClickHouseStore, CancellationToken, Task{T}})"/>
    protected void Run(IClickHouseStore store, Func<IClickHouseStore, CancellationToken, Task> work) => Run(ct => work(store, ct));

    /// <summary>Ends the command with an error record whose id, category and message fit the failure.</summary>
    protected void Fail(ClickHouseStoreException ex, object? target = null)
    {
        var category = ex.Failure switch
        {
            ClickHouseFailure.Unreachable => ErrorCategory.ConnectionError,
            ClickHouseFailure.AuthenticationFailed => ErrorCategory.AuthenticationError,
            ClickHouseFailure.ReadOnlyUser or ClickHouseFailure.AccessDenied => ErrorCategory.PermissionDenied,
            ClickHouseFailure.TableMissing or ClickHouseFailure.ColumnMissing or ClickHouseFailure.DatabaseMissing => ErrorCategory.ObjectNotFound,
            ClickHouseFailure.TypeMismatch => ErrorCategory.InvalidData,
            ClickHouseFailure.Cancelled => ErrorCategory.OperationStopped,
            ClickHouseFailure.NotClickHouse => ErrorCategory.InvalidArgument,
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
