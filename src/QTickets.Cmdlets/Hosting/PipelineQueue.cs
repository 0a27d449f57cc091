using System.Collections.Concurrent;
using System.Management.Automation;
using QTickets.Core.Contracts;

namespace QTickets.Cmdlets.Hosting;

/// <summary>
/// Engine work runs on worker tasks, but PowerShell allows Write* only on the pipeline thread. Workers post
/// here; the pipeline thread runs what they posted while it waits for their task (QTicketsCmdlet.Await), the
/// winget module's pattern. One queue lives as long as its command, so engine objects created once per command
/// (an API client, a ClickHouse store) report through it across ProcessRecord calls. It is bounded: a fast API
/// and a slow consumer (Export-Csv, a slow disk) apply backpressure instead of buffering every order in memory.
/// </summary>
public sealed class PipelineQueue : IRunObserver
{
    readonly BlockingCollection<Action<Cmdlet>> _actions;
    readonly CancellationTokenSource _abandoned = new();

    public PipelineQueue(int capacity = 1024) => _actions = new BlockingCollection<Action<Cmdlet>>(capacity);

    /// <summary>
    /// Queues <paramref name="action"/>; waits while the queue is full. Once the pipeline has stopped draining
    /// (Ctrl+C, a failed Write) a waiting worker is released with OperationCanceledException instead of blocking
    /// forever.
    /// </summary>
    public void Post(Action<Cmdlet> action, CancellationToken cancellation = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, _abandoned.Token);
        _actions.Add(action, linked.Token);
    }

    public void Output(object item, CancellationToken cancellation = default) => Post(c => c.WriteObject(item), cancellation);

    public void Verbose(string message) => Post(c => c.WriteVerbose(message));

    public void Warning(string message) => Post(c => c.WriteWarning(message));

    public void Progress(ProgressUpdate update) => Post(c =>
    {
        var record = new ProgressRecord(update.ActivityId, update.Activity, update.Status.Length == 0 ? " " : update.Status)
        {
            PercentComplete = update.PercentComplete,
            RecordType = update.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
        };
        c.WriteProgress(record);
    });

    /// <summary>The next posted action, waiting at most <paramref name="millisecondsTimeout"/>.</summary>
    internal bool TryTake(out Action<Cmdlet> action, int millisecondsTimeout) =>
        _actions.TryTake(out action!, millisecondsTimeout);

    /// <summary>The pipeline thread stopped draining: release every worker waiting in <see cref="Post"/>.</summary>
    internal void Abandon() => _abandoned.Cancel();
}
