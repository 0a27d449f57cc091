using System.Management.Automation;
using QTickets.Core.Configuration;
using QTickets.Core.Contracts;
using QTickets.Core.Transform;
using QEvent = QTickets.Core.Model.Event;

namespace QTickets.Cmdlets.Api;

/// <summary>
/// Events in, inventory rows out: per event Σ max_quantity (tickets_total) and Σ free_quantity (tickets_left) over
/// the seats of its shows (`/shows/{id}/seats`, flat), one row per event shaped for
/// `stg_qtickets_api_inventory_raw`, or with -PerShow one row per show. All rows of one command share one
/// snapshot_ts and _ver. An event whose seats cannot all be read gets an error instead of a row: a partial sum
/// would look like a sell-out.
/// </summary>
[Cmdlet(VerbsCommon.Get, "QTicketsInventory", DefaultParameterSetName = EventSet)]
[OutputType(typeof(InventoryRow), typeof(ShowInventoryRow))]
public sealed class GetQTicketsInventoryCommand : QTicketsApiCmdlet
{
    const string EventSet = "Event";
    const string IdSet = "EventId";

    /// <summary>Events as Get-QTicketsEvent emits them (their shows are what is read).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = EventSet)]
    public QEvent[] Event { get; set; } = Array.Empty<QEvent>();

    /// <summary>Event ids; each event is fetched first for its shows.</summary>
    [Parameter(Mandatory = true, ParameterSetName = IdSet)]
    [ArgumentCompleter(typeof(EventIdCompleter))]
    public long[] EventId { get; set; } = Array.Empty<long>();

    /// <summary>One row per show (with show_id and show_start) instead of one per event.</summary>
    [Parameter]
    public SwitchParameter PerShow { get; set; }

    /// <summary>Zone of snapshot_ts wall-clock (IANA id); default the configured TZ, Europe/Moscow.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TimeZone { get; set; }

    /// <summary>The rows' _ver; default the command's start as Unix seconds.</summary>
    [Parameter]
    public ulong Version { get; set; }

    InventorySnapshot _snapshot = null!;

    protected override void AddParameters(ConfigLoader loader)
    {
        base.AddParameters(loader);
        loader.WithParameter("TimeZone", TimeZone);
    }

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        var config = LoadConfig(ConfigNeeds.Api);
        var now = DateTimeOffset.UtcNow;
        var version = MyInvocation.BoundParameters.ContainsKey(nameof(Version)) ? Version : (ulong)now.ToUnixTimeSeconds();
        _snapshot = new InventorySnapshot(now, WallClock.For(config.TimeZone), version);
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == IdSet)
        {
            foreach (var id in EventId) Read(null, id);
        }
        else
        {
            foreach (var ev in Event)
                if (ev is not null) Read(ev, ev.Id);
        }
    }

    void Read(QEvent? given, long eventId)
    {
        var perShow = PerShow.IsPresent;
        RunApi(async stopping =>
        {
            try
            {
                var ev = given ?? await Api.GetEventAsync(eventId, stopping).ConfigureAwait(false);
                var shows = new List<ShowInventoryRow>();
                foreach (var show in InventorySnapshot.ShowsOf(ev))
                {
                    var seats = await Api.GetShowSeatsAsync(show.Id, stopping).ConfigureAwait(false);
                    var row = _snapshot.ForShow(ev, show, seats.MaxQuantity, seats.FreeQuantity, seats.Seats);
                    shows.Add(row);
                    if (perShow) Queue.Output(row, stopping);
                }
                if (!perShow) Queue.Output(_snapshot.ForEvent(ev, shows), stopping);
            }
            catch (QTicketsNotFoundException ex)
            {
                // This event (or one of its shows) is gone; the others are still worth reading.
                Queue.Post(c => ((QTicketsCmdlet)c).WriteError(new ErrorRecord(ex, "QTickets.Inventory.NotFound", ErrorCategory.ObjectNotFound, eventId)), stopping);
            }
        });
    }
}
