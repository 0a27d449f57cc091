using System.Management.Automation;
using QTickets.Core.Contracts;
using QTickets.Core.Model;

namespace QTickets.Cmdlets.Api;

/// <summary>
/// Reads orders from the QTickets API as typed Order objects, streamed as pages arrive, each id once, in id
/// order. By default: orders paid in the last 24 hours (paid and not cancelled). -Since/-Until choose the
/// payment window; -UpdatedSince reads every order changed since a time (refunds and cancellations of older
/// orders); -Id reads single orders whatever their status. -IncludeUnpaid adds reservations (the window then
/// applies to created_at, since an unpaid order has no payment time); -IncludeCancelled adds cancelled
/// orders. Personal data stays out unless -IncludePersonalData.
/// </summary>
[Cmdlet(VerbsCommon.Get, "QTicketsOrder", DefaultParameterSetName = SinceHoursSet)]
[OutputType(typeof(Order))]
public sealed class GetQTicketsOrderCommand : QTicketsApiCmdlet
{
    const string SinceHoursSet = "SinceHours";
    const string WindowSet = "Window";
    const string ChangesSet = "Changes";
    const string IdSet = "Id";

    /// <summary>Orders paid in the last N hours, up to now.</summary>
    [Parameter(ParameterSetName = SinceHoursSet)]
    [ValidateRange(1, 24 * 366 * 10)]
    public int SinceHours { get; set; } = 24;

    /// <summary>Start of the payment window (inclusive).</summary>
    [Parameter(Mandatory = true, ParameterSetName = WindowSet)]
    public DateTimeOffset Since { get; set; }

    /// <summary>End of the payment window (exclusive); now when omitted.</summary>
    [Parameter(ParameterSetName = WindowSet)]
    public DateTimeOffset? Until { get; set; }

    /// <summary>Every order whose updated_at is at or after this time.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ChangesSet)]
    public DateTimeOffset UpdatedSince { get; set; }

    /// <summary>Order ids; also from the pipeline (numbers, or objects with an Id or OrderId property).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("OrderId")]
    public long[] Id { get; set; } = Array.Empty<long>();

    /// <summary>Also orders that are not paid (window and changes reads).</summary>
    [Parameter(ParameterSetName = SinceHoursSet)]
    [Parameter(ParameterSetName = WindowSet)]
    [Parameter(ParameterSetName = ChangesSet)]
    public SwitchParameter IncludeUnpaid { get; set; }

    /// <summary>Also cancelled orders (deleted_at set) (window and changes reads).</summary>
    [Parameter(ParameterSetName = SinceHoursSet)]
    [Parameter(ParameterSetName = WindowSet)]
    [Parameter(ParameterSetName = ChangesSet)]
    public SwitchParameter IncludeCancelled { get; set; }

    /// <summary>Fill client and ticket-holder names, e-mails, phones and the card mask.</summary>
    [Parameter]
    public SwitchParameter IncludePersonalData { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == IdSet)
        {
            var ids = Id;
            var personal = IncludePersonalData.IsPresent;
            RunApi(async cancellation =>
            {
                foreach (var id in ids)
                {
                    try
                    {
                        Queue.Output(await Api.GetOrderAsync(id, personal, cancellation).ConfigureAwait(false), cancellation);
                    }
                    catch (QTicketsNotFoundException ex)
                    {
                        WriteNotFound(ex, "Order", cancellation);
                    }
                }
            });
            return;
        }

        var query = BuildQuery();
        WriteVerbose(query.Kind == OrderQueryKind.Changes
            ? $"Orders updated since {query.Since:O}"
            : $"Orders {(query.IncludeUnpaid ? "created" : "paid")} in [{query.Since:O}, {query.Until:O})");
        RunApi(async cancellation =>
        {
            await foreach (var order in Api.GetOrdersAsync(query, cancellation).ConfigureAwait(false))
                Queue.Output(order, cancellation);
        });
    }

    OrderQuery BuildQuery()
    {
        var now = DateTimeOffset.UtcNow;
        var query = ParameterSetName switch
        {
            ChangesSet => OrderQuery.ChangedSince(UpdatedSince),
            WindowSet => OrderQuery.PaidBetween(Since, Until ?? now),
            _ => OrderQuery.PaidBetween(now.AddHours(-SinceHours), now),
        };
        if (query.Kind == OrderQueryKind.PaymentWindow && query.Until <= query.Since)
            ThrowTerminatingError(new ErrorRecord(
                new ArgumentException($"-Until ({query.Until:O}) must be later than -Since ({query.Since:O})."),
                "QTickets.Api.EmptyWindow", ErrorCategory.InvalidArgument, Until));
        return query with
        {
            IncludeUnpaid = IncludeUnpaid,
            IncludeCancelled = IncludeCancelled,
            IncludePersonalData = IncludePersonalData,
        };
    }
}
