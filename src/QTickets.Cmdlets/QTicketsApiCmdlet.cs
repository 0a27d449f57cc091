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

    protected override ApiReadParameters ApiParameters { get; } = new();

    protected override void BeginProcessing()
    {
        _config = LoadConfig(ConfigNeeds.Api);
        WriteVerbose($"QTickets API {_config.BaseUrl}, token {_config.TokenFingerprint}");
        _api = Engine.CreateApi(_config, ApiParameters.OptionsFor(_config), Queue);
    }

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

    /// <summary>
    /// An order's event: from <paramref name="events"/>, else (when <paramref name="fetch"/>) read from the API once per
    /// command and remembered, null included. A refused token or an API that stays down ends the command (RunApi);
    /// an event the API does not know is only its orders' error.
    /// </summary>
    protected QTickets.Core.Model.Event? EventOf(QTickets.Core.Transform.EventDirectory events, long eventId, bool fetch)
    {
        if (eventId <= 0) return null;
        if (events.TryGet(eventId, out var known)) return known;
        if (!fetch) return null;
        QTickets.Core.Model.Event? fetched = null;
        RunApi(async stopping =>
        {
            try { fetched = await Api.GetEventAsync(eventId, stopping).ConfigureAwait(false); }
            catch (QTicketsNotFoundException) { fetched = null; }
        });
        events.Remember(eventId, fetched);
        return fetched;
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
