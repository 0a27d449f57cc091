using QTickets.Core.Contracts;

namespace QTickets.Cmdlets.Hosting;

/// <summary>
/// A <see cref="PipelineQueue"/> for work that outlives the pipeline's draining: a service keeps committing and
/// recomputing after Ctrl+C, and what it reports then is dropped instead of failing that work.
/// </summary>
public sealed class StoppableObserver(PipelineQueue queue) : IRunObserver
{
    public void Verbose(string message) => Try(() => queue.Verbose(message));

    public void Warning(string message) => Try(() => queue.Warning(message));

    public void Progress(ProgressUpdate update) => Try(() => queue.Progress(update));

    public void Information(string message, string tag) => Try(() => queue.Post(c => c.WriteInformation(message, [tag])));

    static void Try(Action post)
    {
        try { post(); }
        catch (OperationCanceledException) { }
        catch (InvalidOperationException) { }
    }
}
