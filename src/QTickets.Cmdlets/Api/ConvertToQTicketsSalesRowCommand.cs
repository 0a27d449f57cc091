using System.Management.Automation;
using System.Text.Json;
using QTickets.Core.Configuration;
using QTickets.Core.Json;
using QTickets.Core.Model;
using QTickets.Core.Transform;
using QEvent = QTickets.Core.Model.Event;

namespace QTickets.Cmdlets.Api;

/// <summary>
/// Orders in, rows of `stg_qtickets_api_orders_raw` out (or, with -PerTicket, one row per ticket). Streams: each
/// order becomes its row as it arrives. A bad order is a non-terminating error with the order id as target and the
/// pipeline goes on; an unpaid order yields nothing. The rules are in Transform/SalesRowConverter.cs.
/// </summary>
[Cmdlet(VerbsData.ConvertTo, "QTicketsSalesRow", DefaultParameterSetName = OrderSet)]
[OutputType(typeof(SalesRow), typeof(TicketRow))]
public sealed class ConvertToQTicketsSalesRowCommand : QTicketsApiCmdlet
{
    const string OrderSet = "Order";
    const string JsonSet = "Json";

    /// <summary>Orders as Get-QTicketsOrder emits them.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = OrderSet)]
    public Order[] Order { get; set; } = Array.Empty<Order>();

    /// <summary>Raw API JSON (a page, an `/orders/{id}` answer, one order or an array), e.g. `Get-Content orders.json -Raw`.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = JsonSet)]
    [AllowEmptyString]
    public string[] Json { get; set; } = Array.Empty<string>();

    /// <summary>Read holder contacts out of -Json input into -PerTicket rows (Order input carries them only from -IncludePersonalData upstream).</summary>
    [Parameter(ParameterSetName = JsonSet)]
    public SwitchParameter IncludePersonalData { get; set; }

    /// <summary>The orders' events (for the city). Without it, each event is fetched from the API once per command.</summary>
    [Parameter]
    public QEvent[]? Event { get; set; }

    /// <summary>One row per ticket (basket) instead of one per order.</summary>
    [Parameter]
    public SwitchParameter PerTicket { get; set; }

    /// <summary>Zone of sale_ts wall-clock (IANA id); default the configured TZ, Europe/Moscow.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TimeZone { get; set; }

    /// <summary>The rows' _ver; default each order's source version (its newest updated_at in microseconds, as the loader writes).</summary>
    [Parameter]
    public ulong Version { get; set; }

    SalesRowConverter _converter = null!;
    EventDirectory _events = null!;
    readonly JsonPipelineText _jsonText = new();
    int _rows, _unpaid, _rejected;

    protected override void AddParameters(ConfigLoader loader)
    {
        base.AddParameters(loader);
        loader.WithParameter("TimeZone", TimeZone);
    }

    protected override void BeginProcessing()
    {
        // Offline (-Event given) no token is needed: the API client is made only when events must be fetched.
        if (Event is null) base.BeginProcessing();
        var config = LoadConfig(ConfigNeeds.None);
        ulong? version = MyInvocation.BoundParameters.ContainsKey(nameof(Version)) ? Version : null;
        _converter = new SalesRowConverter(WallClock.For(config.TimeZone), version);
        _events = new EventDirectory(Event);
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == JsonSet)
        {
            foreach (var text in Json)
                foreach (var document in _jsonText.Add(text)) ConvertJson(document);
        }
        else
        {
            foreach (var order in Order)
                if (order is not null) Convert(order);
        }
    }

    protected override void EndProcessing()
    {
        if (_jsonText.Finish() is { } joined) ConvertJson(joined);
        WriteVerbose($"{_rows} rows; {_unpaid} orders never paid (no row); {_rejected} orders rejected.");
    }

    void ConvertJson(string text)
    {
        List<Order> orders;
        try
        {
            orders = OrderJsonReader.Read(text, IncludePersonalData);
        }
        catch (JsonException ex)
        {
            // The text is not echoed: it may hold personal data.
            WriteError(new ErrorRecord(
                new FormatException($"The input is not QTickets order JSON ({ex.Message}). Pass whole JSON documents (a saved page or order), e.g. Get-Content orders.json.", ex),
                "QTickets.SalesRow.InvalidJson", ErrorCategory.InvalidData, null));
            return;
        }
        foreach (var order in orders) Convert(order);
    }

    void Convert(Order order)
    {
        // An order never paid needs no event for a sales row: no lookup, no request.
        var needsEvent = order.Id > 0 && order.Problems.Count == 0 && (PerTicket || order.PayedAt is not null);
        var ev = needsEvent ? EventOf(order.EventId) : null;
        string? rejection;
        if (PerTicket)
        {
            var tickets = _converter.ToTicketRows(order, ev, out rejection);
            if (tickets is not null)
            {
                WriteObject(tickets, enumerateCollection: true);
                _rows += tickets.Count;
            }
        }
        else
        {
            var row = _converter.ToSalesRow(order, ev, out rejection);
            if (row is not null)
            {
                WriteObject(row);
                _rows++;
            }
            else if (rejection is null) _unpaid++;
        }
        if (rejection is not null)
        {
            _rejected++;
            WriteError(new ErrorRecord(
                new InvalidDataException($"{order}: {rejection}."),
                "QTickets.SalesRow.InvalidOrder", ErrorCategory.InvalidData, order.Id > 0 ? order.Id : order));
        }
    }

    // Events passed in are the whole list: an order of another event is reported, not fetched behind the user's back.
    QEvent? EventOf(long eventId) => EventOf(_events, eventId, fetch: Event is null);
}
