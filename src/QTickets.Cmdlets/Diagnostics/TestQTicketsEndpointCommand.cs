using System.Management.Automation;
using QTickets.Core.Configuration;
using QTickets.Core.Diagnostics;

namespace QTickets.Cmdlets.Diagnostics;

/// <summary>
/// Runs the debug protocol against the QTickets API: each step tests one hypothesis about how orders must be
/// requested and emits an <see cref="EndpointProbeResult"/>; the <see cref="EndpointVerdict"/> comes last (or
/// alone with -Verdict). Probe failures (403, 404, 503, no answer) are findings, not errors; only configuration
/// problems end the command.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "QTicketsEndpoint")]
[OutputType(typeof(EndpointProbeResult), typeof(EndpointVerdict))]
public sealed class TestQTicketsEndpointCommand : QTicketsCmdlet
{
    protected override ApiConnectionParameters ApiParameters { get; } = new();

    /// <summary>Runs only these steps (0 always runs; A0, the baseline, runs whenever A–C or J1 do).</summary>
    [Parameter(Position = 0)]
    [ArgumentCompleter(typeof(ProbeStepCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Step { get; set; }

    /// <summary>The order step D fetches; by default the first one J1 or A0 returned.</summary>
    [Parameter]
    [ValidateRange(1, long.MaxValue)]
    public long OrderId { get; set; }

    /// <summary>Sends the POST probes E1 and E2. POST /orders may create an order on the real API.</summary>
    [Parameter]
    public SwitchParameter IncludeWriteProbes { get; set; }

    /// <summary>Keeps personal data in the answers' bodies (masked by default).</summary>
    [Parameter]
    public SwitchParameter IncludePersonalData { get; set; }

    /// <summary>Seconds step F waits before repeating the first request that got 503.</summary>
    [Parameter]
    [ValidateRange(0, 600)]
    public int RetryDelaySeconds { get; set; } = 10;

    /// <summary>Seconds to wait for each answer.</summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int TimeoutSeconds { get; set; } = 60;

    /// <summary>Emits only the verdict (it still carries every result in its Results property).</summary>
    [Parameter]
    public SwitchParameter Verdict { get; set; }

    protected override void EndProcessing()
    {
        if (Step is not null)
        {
            var unknown = Step.Where(s => !ProbeCatalog.Ids.Contains(s, StringComparer.OrdinalIgnoreCase)).ToArray();
            if (unknown.Length > 0)
                ThrowTerminatingError(new ErrorRecord(
                    new ArgumentException($"Unknown step {string.Join(", ", unknown)}; the steps are {string.Join(", ", ProbeCatalog.Ids)}."),
                    "QTickets.Diagnostics.UnknownStep", ErrorCategory.InvalidArgument, unknown));
        }
        var config = LoadConfig(ConfigNeeds.Api);
        var settings = new ProbeSettings
        {
            BaseUrl = config.BaseUrl,
            Token = config.Token!.Reveal(),
            TokenFingerprint = config.TokenFingerprint,
            Organization = config.OrgName,
            Steps = Step,
            OrderId = MyInvocation.BoundParameters.ContainsKey(nameof(OrderId)) ? OrderId : null,
            IncludeWriteProbes = IncludeWriteProbes,
            IncludePersonalData = IncludePersonalData,
            RetryDelay = TimeSpan.FromSeconds(RetryDelaySeconds),
            Timeout = TimeSpan.FromSeconds(TimeoutSeconds),
            EnvironmentLines = new[]
            {
                $"PowerShell engine:  {typeof(PSObject).Assembly.GetName().Version} ({Host.Name})",
                $"Module:             QTickets {typeof(TestQTicketsEndpointCommand).Assembly.GetName().Version?.ToString(3)}",
            },
        };
        if (!IncludeWriteProbes && (Step is null || Step.Any(s => s.StartsWith("E", StringComparison.OrdinalIgnoreCase))))
            WriteVerbose("E1, E2 (POST) will not be sent: POST /orders may create an order on the real API; -IncludeWriteProbes sends them.");

        var prober = new EndpointProber(settings);
        Run(async cancellation =>
        {
            var results = await prober.RunAsync(
                r => { if (!Verdict) Queue.Output(r, cancellation); }, Queue.Verbose, cancellation).ConfigureAwait(false);
            var verdict = VerdictBuilder.Build(results, settings, prober.Windows.Now, settings.Clock.GetUtcNow());
            if (verdict.Kind is VerdictKind.TokenRejected or VerdictKind.ApiUnavailable) Queue.Warning(verdict.Summary + " " + verdict.Headline);
            Queue.Output(verdict, cancellation);
        });
    }
}
