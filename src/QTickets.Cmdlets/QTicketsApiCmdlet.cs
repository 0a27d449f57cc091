using System.Management.Automation;
using QTickets.Core.Configuration;
using QTickets.Core.Contracts;
using QTickets.Cmdlets.Hosting;

namespace QTickets.Cmdlets;

/// <summary>
/// Base of the cmdlets that read the QTickets API: the connection parameters, one API client per command
/// (so the breaker sees the whole run, across pipeline input), and the mapping of API failures to the error
/// records PowerShell users expect.
/// </summary>
public abstract class QTicketsApiCmdlet : QTicketsCmdlet, IDisposable
{
    IQTicketsApi? _api;
    QTicketsConfig? _config;

    /// <summary>The REST API token; overrides QTICKETS_TOKEN.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Token { get; set; }

    /// <summary>The REST v1 base URL, e.g. a sandbox's; overrides QTICKETS_BASE_URL.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? BaseUrl { get; set; }

    /// <summary>
    /// Pins the pages requested at once (1 = one page at a time). Without it the client finds the API's capacity
    /// while reading, between 1 and -MaxParallelism.
    /// </summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int? Parallelism { get; set; }

    /// <summary>The most pages requested at once when not pinned; overrides QTICKETS_MAX_PAGES_IN_FLIGHT (default 8).</summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int? MaxParallelism { get; set; }

    /// <summary>Attempts per request before the command fails (429, 5xx, timeouts, network errors).</summary>
    [Parameter]
    [ValidateRange(1, 20)]
    public int MaxAttempts { get; set; } = new ApiOptions().MaxAttempts;

    protected override void AddParameters(ConfigLoader loader) => loader
        .WithParameter("Token", Token)
        .WithParameter("BaseUrl", BaseUrl);

    protected override void BeginProcessing()
    {
        _config = LoadConfig(ConfigNeeds.Api);
        WriteVerbose($"QTickets API {_config.BaseUrl}, token {_config.TokenFingerprint}");
        _api = Engine.CreateApi(_config, ApiOptionsFor(_config, Parallelism, MaxParallelism, MaxAttempts), Queue);
    }

    /// <summary>The API options of a command: pinned by -Parallelism, else adaptive up to -MaxParallelism or the configured ceiling.</summary>
    internal static ApiOptions ApiOptionsFor(QTicketsConfig config, int? parallelism, int? maxParallelism, int maxAttempts) => new()
    {
        Parallelism = parallelism,
        MaxParallelism = maxParallelism ?? config.MaxPagesInFlight,
        MaxAttempts = maxAttempts,
    };

    protected IQTicketsApi Api => _api ?? throw new InvalidOperationException("BeginProcessing has not run.");

    /// <summary>
    /// Runs API work off the pipeline thread and turns its failures into error records: a refused token and an
    /// API that stays down end the command; Ctrl+C ends it quietly.
    /// </summary>
    protected void RunApi(Func<CancellationToken, Task> work)
    {
        try
        {
            Run(work);
        }
        catch (QTicketsAuthenticationException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "QTickets.Api.Unauthorized", ErrorCategory.AuthenticationError, _config?.BaseUrl));
        }
        catch (QTicketsUnavailableException ex)
        {
            var id = ex.TimedOut ? "QTickets.Api.Timeout" : ex.CircuitOpen ? "QTickets.Api.CircuitOpen" : "QTickets.Api.Unavailable";
            ThrowTerminatingError(new ErrorRecord(ex, id,
                ex.TimedOut ? ErrorCategory.OperationTimeout : ErrorCategory.ConnectionError, ex.Request));
        }
        catch (QTicketsResponseException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "QTickets.Api.InvalidResponse", ErrorCategory.InvalidData, ex.Request));
        }
        catch (QTicketsApiException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "QTickets.Api.RequestFailed", ErrorCategory.InvalidOperation, ex.Request));
        }
    }

    /// <summary>A non-terminating "no such id" error, written from a worker through the queue.</summary>
    protected void WriteNotFound(QTicketsNotFoundException ex, string noun, CancellationToken cancellation) =>
        Queue.Post(c => ((QTicketsCmdlet)c).WriteError(new ErrorRecord(ex, $"QTickets.Api.{noun}NotFound", ErrorCategory.ObjectNotFound, ex.Id)), cancellation);

    public void Dispose()
    {
        _api?.Dispose();
        GC.SuppressFinalize(this);
    }
}
