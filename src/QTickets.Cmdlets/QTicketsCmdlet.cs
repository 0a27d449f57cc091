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
public abstract class QTicketsCmdlet : PSCmdlet, IDynamicParameters
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

    /// <summary>The API connection parameters this cmdlet offers, as its dynamic parameters; none by default.</summary>
    protected virtual ApiConnectionParameters? ApiParameters => null;

    public object? GetDynamicParameters() => ApiParameters;

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
        ApiParameters?.AddTo(loader);
        AddParameters(loader);
        var config = loader.Load(needs);
        foreach (var warning in loader.Warnings) WriteWarning(warning);
        return config;
    }

    protected ErrorRecord ConfigurationError(ConfigurationException ex) => ex is EnvFileNotFoundException missing
        ? new ErrorRecord(ex, "QTickets.Configuration.EnvFileNotFound", ErrorCategory.ObjectNotFound, missing.Path)
        : new ErrorRecord(ex, "QTickets.Configuration.Invalid", ErrorCategory.InvalidArgument, EnvFile);

    /// <summary>
    /// Where engine work reports (verbose, warnings, progress) and posts output; only the pipeline thread runs
    /// what it holds, inside <see cref="Run(Func{CancellationToken, Task})"/>. One per command.
    /// </summary>
    protected PipelineQueue Queue { get; } = new();

    /// <summary>
    /// The one way a cmdlet runs engine work: <paramref name="work"/> runs on a worker task with the command's stop
    /// token, and the pipeline thread writes what it posts to <see cref="Queue"/> until it ends. Its exceptions
    /// surface here, on the pipeline thread, so cmdlets turn them into error records; Ctrl+C ends the command quietly.
    /// </summary>
    protected void Run(Func<CancellationToken, Task> work) => Pump(Task.Run(() => work(StopToken)));

    /// <inheritdoc cref="Run(Func{CancellationToken, Task})"/>
    protected T Run<T>(Func<CancellationToken, Task<T>> work)
    {
        var task = Task.Run(() => work(StopToken));
        Pump(task);
        return task.GetAwaiter().GetResult();
    }

    /// <summary>
    /// Per-row work (a writer's AddAsync) that mostly completes at once: started on the pipeline thread, so a row
    /// costs no task switch, and pumped like the others when it has to wait (a full channel).
    /// </summary>
    protected void RunInline(Func<CancellationToken, ValueTask> work)
    {
        var task = work(StopToken);
        if (task.IsCompletedSuccessfully) return;
        Pump(task.AsTask());
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
        try
        {
            // GetResult, not Wait: the engine's own exception, not an AggregateException.
            task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }
}
