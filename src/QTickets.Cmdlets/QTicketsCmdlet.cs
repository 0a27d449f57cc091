using System.Management.Automation;
using QTickets.Core.Configuration;
using QTickets.Core.Contracts;
using QTickets.Cmdlets.Hosting;

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

    protected CancellationToken StopToken => _stopping.Token;

    protected IEngine Engine => EngineHost.Engine;

    protected override void StopProcessing()
    {
        _stopping.Cancel();
        Queue.Abandon();
    }

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
    /// Where engine work reports (verbose, warnings, progress) and posts output; only the pipeline thread runs
    /// what it holds, inside <see cref="Await(Task)"/>. One per command.
    /// </summary>
    protected PipelineQueue Queue { get; } = new();

    /// <summary>
    /// Runs <paramref name="work"/> on a worker task and writes what it posts until it ends. Exceptions surface
    /// here, on the pipeline thread, so cmdlets turn them into error records.
    /// </summary>
    protected void RunOnPipeline(Func<PipelineQueue, CancellationToken, Task> work) =>
        Await(Task.Run(() => work(Queue, StopToken)));

    /// <summary>Blocks the pipeline thread until <paramref name="task"/> ends, writing what engine work posted meanwhile.</summary>
    protected T Await<T>(Task<T> task)
    {
        Pump(task);
        return task.GetAwaiter().GetResult();
    }

    /// <inheritdoc cref="Await{T}(Task{T})"/>
    protected void Await(Task task)
    {
        Pump(task);
        // GetResult, not Wait: the engine's own exception, not an AggregateException.
        task.GetAwaiter().GetResult();
    }

    protected void Await(ValueTask task)
    {
        if (task.IsCompletedSuccessfully) return;
        Await(task.AsTask());
    }

    /// <summary>Writes what engine work posted so far, without waiting (e.g. a background writer's progress).</summary>
    protected void WritePosted() => Pump(Task.CompletedTask);

    void Pump(Task task)
    {
        try
        {
            while (!task.IsCompleted)
                if (Queue.TryTake(out var action, 50)) action(this);
            while (Queue.TryTake(out var action, 0)) action(this);
        }
        catch
        {
            // The pipeline is stopping (or a Write failed): stop the worker too, without waiting for it.
            _stopping.Cancel();
            Queue.Abandon();
            throw;
        }
    }
}
