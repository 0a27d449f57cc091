using System.Management.Automation;
using QTickets.Configuration;
using QTickets.Contracts;
using QTickets.Hosting;

namespace QTickets.Cmdlets;

/// <summary>
/// Base of every QTickets cmdlet: configuration parameters shared by all (like the web cmdlets' base class),
/// Ctrl+C through a CancellationTokenSource, and running engine work off the pipeline thread while only the
/// pipeline thread writes.
/// </summary>
public abstract class QTicketsCmdlet : PSCmdlet
{
    readonly CancellationTokenSource _stopping = new();

    /// <summary>Dotenv files read after the environment (later files win). Same format as the legacy loader's.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? EnvFile { get; set; }

    protected CancellationToken Stopping => _stopping.Token;

    protected IEngine Engine => EngineHost.Engine;

    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>Override to add parameter values as the highest configuration source.</summary>
    protected virtual void AddParameters(ConfigLoader loader) { }

    /// <summary>Loads the effective configuration, or ends the command with a clear configuration error.</summary>
    protected QTicketsConfig LoadConfig(ConfigNeeds needs)
    {
        try
        {
            return BuildConfig(needs);
        }
        catch (ConfigurationException ex)
        {
            ThrowTerminatingError(ConfigurationError(ex));
            throw; // unreachable: ThrowTerminatingError always throws
        }
    }

    /// <summary>The effective configuration; throws <see cref="ConfigurationException"/> for the caller to report.</summary>
    protected QTicketsConfig BuildConfig(ConfigNeeds needs)
    {
        var loader = new ConfigLoader();
        foreach (var file in EnvFile ?? Array.Empty<string>())
        {
            var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(file);
            loader.WithEnvFile(path);
            WriteVerbose($"Read env file {path}");
        }
        AddParameters(loader);
        var config = loader.Load(needs);
        foreach (var warning in loader.Warnings) WriteWarning(warning);
        return config;
    }

    protected ErrorRecord ConfigurationError(ConfigurationException ex)
    {
        var missingFile = ex.Message.Contains("does not exist", StringComparison.Ordinal);
        return new ErrorRecord(ex,
            missingFile ? "QTickets.Configuration.EnvFileNotFound" : "QTickets.Configuration.Invalid",
            missingFile ? ErrorCategory.ObjectNotFound : ErrorCategory.InvalidArgument, EnvFile);
    }

    /// <summary>
    /// Runs <paramref name="work"/> on a worker task and drains what it posts on the pipeline thread until it
    /// ends. Exceptions surface here, on the pipeline thread, so cmdlets turn them into error records.
    /// </summary>
    protected void RunOnPipeline(Func<PipelineQueue, CancellationToken, Task> work)
    {
        var queue = new PipelineQueue();
        var task = Task.Run(async () =>
        {
            try { await work(queue, Stopping).ConfigureAwait(false); }
            finally { queue.Complete(); }
        });
        try
        {
            foreach (var action in queue.Drain()) action(this);
        }
        catch
        {
            // The pipeline is stopping (or a Write failed): stop the worker too, without waiting for it.
            _stopping.Cancel();
            queue.Abandon();
            throw;
        }
        task.GetAwaiter().GetResult();
    }
}
