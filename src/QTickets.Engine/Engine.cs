using QTickets.Core.Configuration;
using QTickets.Core.Contracts;
using QTickets.Engine.ClickHouse;
using QTickets.Engine.Api;

namespace QTickets.Engine;

/// <summary>The engine's entry point, created by QTickets.Cmdlets.Hosting.EngineHost inside the module's load context.</summary>
public sealed class Engine : IEngine
{
    public IReadOnlyDictionary<string, string> DependencyVersions { get; } = new[]
        {
            typeof(Polly.ResiliencePipeline).Assembly,
            typeof(global::ClickHouse.Driver.ADO.ClickHouseConnection).Assembly,
        }
        .ToDictionary(a => a.GetName().Name!, a => a.GetName().Version?.ToString() ?? "");

    public IQTicketsApi CreateApi(QTicketsConfig config, ApiOptions options, IRunObserver observer) =>
        new QTicketsApiClient(config, options, observer);

    public IClickHouseStore CreateClickHouseStore(QTicketsConfig config, IRunObserver observer) =>
        new ClickHouseStore(config, observer);
}
