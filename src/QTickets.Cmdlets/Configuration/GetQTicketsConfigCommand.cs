using System.Management.Automation;
using QTickets.Cmdlets.ClickHouse;
using QTickets.Core.Configuration;

namespace QTickets.Cmdlets.Configuration;

/// <summary>
/// Shows the effective configuration (parameters, then -EnvFile files, then the environment, then defaults),
/// with every secret as a fingerprint. -Source lists where each value came from.
/// </summary>
[Cmdlet(VerbsCommon.Get, "QTicketsConfig")]
[OutputType(typeof(QTicketsConfig))]
[OutputType(typeof(ConfigSource), ParameterSetName = new[] { "Source" })]
public sealed class GetQTicketsConfigCommand : ClickHouseCmdlet
{
    protected override ApiConnectionParameters ApiParameters { get; } = new();

    /// <summary>The load window's default length in hours (QTICKETS_SINCE_HOURS).</summary>
    [Parameter] public string? SinceHours { get; set; }

    /// <summary>Emit one ConfigSource per setting instead of the configuration object.</summary>
    [Parameter] public SwitchParameter Source { get; set; }

    protected override void AddParameters(ConfigLoader loader)
    {
        base.AddParameters(loader);
        loader.WithParameter("SinceHours", SinceHours);
    }

    protected override void EndProcessing()
    {
        var config = LoadConfig(ConfigNeeds.Api);
        foreach (var s in config.Sources)
            WriteVerbose($"{s.Setting} = {s.Value} ({s.Variable}, {s.Origin})");
        if (Source) WriteObject(config.Sources, enumerateCollection: true);
        else WriteObject(config);
    }
}
