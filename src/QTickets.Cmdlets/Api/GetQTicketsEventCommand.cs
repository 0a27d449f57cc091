using System.Management.Automation;
using QTickets.Core.Contracts;
using QTickets.Core.Model;

namespace QTickets.Cmdlets.Api;

/// <summary>
/// Reads events from the QTickets API (every page, deleted events included, in id order), each with its shows,
/// its city's name and IANA time zone. -Id reads single events.
/// </summary>
[Cmdlet(VerbsCommon.Get, "QTicketsEvent", DefaultParameterSetName = AllSet)]
[OutputType(typeof(Event))]
public sealed class GetQTicketsEventCommand : QTicketsApiCmdlet
{
    const string AllSet = "All";
    const string IdSet = "Id";

    /// <summary>Event ids; also from the pipeline as numbers.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet, ValueFromPipeline = true)]
    [ArgumentCompleter(typeof(EventIdCompleter))]
    public long[] Id { get; set; } = Array.Empty<long>();

    // What this command returned, for completing event ids later in the session (RecentEvents).
    readonly List<Event> _returned = new();

    protected override void ProcessRecord()
    {
        if (ParameterSetName == IdSet)
        {
            var ids = Id;
            RunApi(async cancellation =>
            {
                foreach (var id in ids)
                {
                    try
                    {
                        var e = await Api.GetEventAsync(id, cancellation).ConfigureAwait(false);
                        _returned.Add(e);
                        Queue.Output(e, cancellation);
                    }
                    catch (QTicketsNotFoundException ex)
                    {
                        WriteNotFound(ex, "Event", cancellation);
                    }
                }
            });
            return;
        }
        RunApi(async cancellation =>
        {
            await foreach (var e in Api.GetEventsAsync(cancellation).ConfigureAwait(false))
            {
                _returned.Add(e);
                Queue.Output(e, cancellation);
            }
        });
    }

    protected override void EndProcessing() => RecentEvents.Remember(_returned);
}
