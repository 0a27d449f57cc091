using QTickets.Core.Configuration;

namespace QTickets.Core.Contracts;

/// <summary>
/// What the cmdlets ask of the engine. Implemented by QTickets.Engine.Engine, which lives in the module's
/// own load context; the cmdlets see only this interface and the model types, all defined here in the
/// default context. Each concern adds its factory method here.
/// </summary>
public interface IEngine
{
    /// <summary>Versions of the engine's third-party assemblies, as loaded (diagnostics and isolation tests).</summary>
    IReadOnlyDictionary<string, string> DependencyVersions { get; }

    /// <summary>
    /// A QTickets REST client for <paramref name="config"/>'s base URL and token (which must be set). Requests
    /// report through <paramref name="observer"/>: one verbose line each, retries, and paging progress.
    /// </summary>
    IQTicketsApi CreateApi(QTicketsConfig config, ApiOptions options, IRunObserver observer);

    /// <summary>
    /// The ClickHouse store for <paramref name="config"/>'s host, port, database, user and password; it reports
    /// through <paramref name="observer"/> (one verbose line per statement, progress per batch).
    /// </summary>
    IClickHouseStore CreateClickHouseStore(QTicketsConfig config, IRunObserver observer);
}
