using System.Globalization;
using System.Management.Automation;
using QTickets.Core.Configuration;
using QTickets.Core.Model;
using QTickets.Core.Support;
using QTickets.Core.Transform;
using QEvent = QTickets.Core.Model.Event;

namespace QTickets.Cmdlets.Api;

/// <summary>
/// Orders in, a CSV for support staff out: one row per order (or per ticket), states in words, Moscow payment
/// times, event, show, city, tickets, amount, promo code, and the buyer's contacts only with -IncludePersonalData.
/// The rules are in Support/ (SupportRowBuilder, SupportCsvWriter); this command binds, looks events and promo
/// codes up, and writes.
/// </summary>
[Cmdlet(VerbsData.Export, "QTicketsSupportCsv", SupportsShouldProcess = true)]
[OutputType(typeof(SupportOrderRow), typeof(SupportTicketRow))]
public sealed class ExportQTicketsSupportCsvCommand : QTicketsApiCmdlet, IDisposable
{
    /// <summary>The CSV file to write (replaced).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>Orders as Get-QTicketsOrder emits them.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public Order[] Order { get; set; } = Array.Empty<Order>();

    /// <summary>One row per ticket instead of one per order.</summary>
    [Parameter]
    public SwitchParameter PerTicket { get; set; }

    /// <summary>Add the buyer's (and with -PerTicket the holder's) name, e-mail and phone.</summary>
    [Parameter]
    public SwitchParameter IncludePersonalData { get; set; }

    /// <summary>Only orders whose buyer or any ticket holder has this e-mail.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Email { get; set; }

    /// <summary>The orders' events (name, city, shows). Without it each event is fetched once.</summary>
    [Parameter]
    public QEvent[]? Event { get; set; }

    /// <summary>Column separator; default the culture's list separator (";" on a Russian system).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Delimiter { get; set; }

    /// <summary>Zone of PaidAt (IANA id); default the configured TZ, Europe/Moscow.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TimeZone { get; set; }

    /// <summary>Also write each row to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    SupportRowBuilder _builder = null!;
    SupportCsvWriter? _csv;
    EventDirectory _events = null!;
    Dictionary<long, string>? _promoCodes;
    bool _online;
    int _orders, _withoutPersonalData;
    string _fullPath = "";

    protected override void AddParameters(ConfigLoader loader)
    {
        base.AddParameters(loader);
        loader.WithParameter("TimeZone", TimeZone);
    }

    protected override void BeginProcessing()
    {
        // With the events given, a token is used when there is one (for promo codes) and not required.
        _online = Event is null || HasApiConfig();
        if (_online) base.BeginProcessing();
        var config = LoadConfig(ConfigNeeds.None);
        _builder = new SupportRowBuilder(WallClock.For(config.TimeZone), IncludePersonalData);
        _events = new EventDirectory(Event);
        _fullPath = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        if (!ShouldProcess(_fullPath, $"Write a support CSV ({(PerTicket ? "one row per ticket" : "one row per order")}" +
                                      $"{(IncludePersonalData ? ", with names, e-mails and phones" : "")})"))
            return;
        try
        {
            _csv = new SupportCsvWriter(File.Create(_fullPath), CultureInfo.CurrentCulture, IncludePersonalData, Delimiter);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "QTickets.SupportCsv.CannotWrite", ErrorCategory.WriteError, _fullPath));
        }
    }

    protected override void ProcessRecord()
    {
        foreach (var order in Order)
        {
            if (order is null) continue;
            _orders++;
            if (!SupportRowBuilder.HasPersonalData(order)) _withoutPersonalData++;
            if (Email is not null && !SupportRowBuilder.Matches(order, Email)) continue;
            var ev = EventOf(order.EventId);
            var promo = PromoCodeOf(order.PromoCodeId);
            if (PerTicket)
                foreach (var row in _builder.ToTicketRows(order, ev, promo))
                {
                    _csv?.Write(row);
                    if (PassThru) WriteObject(row);
                }
            else
            {
                var row = _builder.ToOrderRow(order, ev, promo);
                _csv?.Write(row);
                if (PassThru) WriteObject(row);
            }
        }
    }

    protected override void EndProcessing()
    {
        if (_csv is null) return;
        _csv.WriteHeader(PerTicket);
        var rows = _csv.Rows;
        _csv.Dispose();
        WriteVerbose($"{rows} rows from {_orders} orders written to {_fullPath}.");
        if (Email is not null && rows == 0 && _orders > 0 && _withoutPersonalData == _orders)
            WriteError(new ErrorRecord(
                new InvalidOperationException($"None of the {_orders} orders carries an e-mail, so none can match '{Email}': they were read without personal data."),
                "QTickets.SupportCsv.NoPersonalData", ErrorCategory.InvalidArgument, Email)
            {
                ErrorDetails = new ErrorDetails("The orders were read without personal data, so no e-mail could match.")
                {
                    RecommendedAction = "Read them with Get-QTicketsOrder -IncludePersonalData.",
                },
            });
    }

    // PowerShell disposes a command also when Ctrl+C or an error stops it: the file is closed then too.
    public new void Dispose()
    {
        _csv?.Dispose();
        base.Dispose();
    }

    bool HasApiConfig()
    {
        try
        {
            BuildConfig(ConfigNeeds.Api);
            return true;
        }
        catch (ConfigurationException)
        {
            return false;
        }
    }

    QEvent? EventOf(long eventId) => EventOf(_events, eventId, fetch: Event is null && _online);

    // Promo codes are read once per command, at the first order that names one; without the API an order shows
    // the code's id.
    string? PromoCodeOf(long? id)
    {
        if (id is not long promoId) return null;
        if (_promoCodes is null && _online)
        {
            var codes = new Dictionary<long, string>();
            RunApi(async stopping =>
            {
                await foreach (var p in Api.GetPromoCodesAsync(stopping).ConfigureAwait(false)) codes[p.Id] = p.Code;
            });
            _promoCodes = codes;
        }
        return _promoCodes is not null && _promoCodes.TryGetValue(promoId, out var code) && code.Length > 0
            ? code
            : "#" + promoId.ToString(CultureInfo.InvariantCulture);
    }
}
