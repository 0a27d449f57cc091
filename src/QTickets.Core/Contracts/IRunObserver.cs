namespace QTickets.Core.Contracts;

/// <summary>
/// How engine code reports while it works, without knowing PowerShell. The cmdlets' implementation
/// (Hosting/PipelineQueue.cs) hands every call to the pipeline thread, the only thread allowed to write.
/// Messages must never contain a secret or personal datum.
/// </summary>
public interface IRunObserver
{
    void Verbose(string message);
    void Warning(string message);
    void Progress(ProgressUpdate update);
}

/// <param name="ActivityId">Stable per activity, so a Completed record closes the right bar.</param>
/// <param name="PercentComplete">0–100, or -1 when unknown.</param>
public sealed record ProgressUpdate(int ActivityId, string Activity, string Status, int PercentComplete, bool Completed = false);

/// <summary>An observer that drops everything (unit tests, benchmarks).</summary>
public sealed class NullRunObserver : IRunObserver
{
    public static readonly NullRunObserver Instance = new();
    public void Verbose(string message) { }
    public void Warning(string message) { }
    public void Progress(ProgressUpdate update) { }
}
