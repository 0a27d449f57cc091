using System.Collections.Concurrent;
using System.Management.Automation;
using QTickets.Contracts;

namespace QTickets.Hosting;

/// <summary>
/// Engine work runs on worker tasks, but PowerShell allows Write* only on the pipeline thread. Workers post
/// here; the pipeline thread drains (the winget module's pattern). The queue is bounded, so a fast API and a
/// slow consumer (Export-Csv, a slow disk) apply backpressure instead of buffering every order in memory.
/// </summary>
public sealed class PipelineQueue : IRunObserver
{
    readonly BlockingCollection<Action<Cmdlet>> _actions;

    public PipelineQueue(int capacity = 1024) => _actions = new BlockingCollection<Action<Cmdlet>>(capacity);

    public void Post(Action<Cmdlet> action, CancellationToken cancellation = default) => _actions.Add(action, cancellation);

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

    internal void Complete() => _actions.CompleteAdding();

    internal IEnumerable<Action<Cmdlet>> Drain() => _actions.GetConsumingEnumerable();
}
