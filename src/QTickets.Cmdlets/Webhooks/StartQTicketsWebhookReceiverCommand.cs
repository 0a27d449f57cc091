using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Text;
using QTickets.Core.Configuration;
using QTickets.Core.Contracts;
using QTickets.Cmdlets.Hosting;
using QTickets.Core.Transform;
using QTickets.Core.Webhooks;

namespace QTickets.Cmdlets.Webhooks;

/// <summary>
/// <para type="synopsis">Receives QTickets webhooks and puts each paid order into ClickHouse within seconds; serves until stopped.</para>
/// <para type="description">Listens (plain HTTP, loopback by default, behind a reverse proxy that terminates TLS) on the
/// one path for QTickets' order deliveries. A delivery counts only when its X-Signature (HMAC-SHA1 of the body with
/// QTICKETS_WEBHOOK_SECRET) verifies; it is parsed and converted exactly as the scheduled load does, staged (the newer
/// updated_at wins, so duplicates and late deliveries change nothing), and answered 200 once its row is in staging;
/// 503 while ClickHouse is down, so QTickets retries. The daily facts of the touched days follow within a second.
/// One line per delivery goes to the information stream (no body, no personal data). Ctrl+C or SIGTERM stops it
/// cleanly: requests in progress finish and pending facts are recomputed; then a summary object is written.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "QTicketsWebhookReceiver")]
[OutputType(typeof(WebhookReceiverSummary))]
public sealed class StartQTicketsWebhookReceiverCommand : QTicketsCmdlet
{
    /// <summary><para type="description">Address to listen on (QTICKETS_WEBHOOK_LISTEN; default 127.0.0.1). 0.0.0.0 listens on every interface.</para></summary>
    [Parameter] [ValidateNotNullOrEmpty] public string? ListenAddress { get; set; }

    /// <summary><para type="description">Port to listen on (QTICKETS_WEBHOOK_PORT; default 8088).</para></summary>
    [Parameter] [ValidateRange(1, 65535)] public int? Port { get; set; }

    /// <summary><para type="description">The one path deliveries are accepted on (QTICKETS_WEBHOOK_PATH; default /qtickets/webhook).</para></summary>
    [Parameter] [ValidateNotNullOrEmpty] public string? Path { get; set; }

    /// <summary><para type="description">Largest body accepted, in bytes (default 1 MiB); larger ones get 413.</para></summary>
    [Parameter] [ValidateRange(1024, 64 * 1024 * 1024)] public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary><para type="description">How long the daily facts wait for more deliveries before one recomputation of the touched days (default 250 ms).</para></summary>
    [Parameter] [ValidateRange(0, 60_000)] public int FactsDelayMilliseconds { get; set; } = 250;

    protected override void AddParameters(ConfigLoader loader) => loader
        .WithParameter("WebhookListen", ListenAddress)
        .WithParameter("WebhookPort", Port?.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .WithParameter("WebhookPath", Path);

    protected override void EndProcessing()
    {
        var config = LoadConfig(ConfigNeeds.All | ConfigNeeds.Webhook);
        var started = DateTimeOffset.UtcNow;
        var secret = Encoding.UTF8.GetBytes(config.WebhookSecret!.Reveal());
        var receiverOptions = new WebhookReceiverOptions { Path = config.WebhookPath, MaxBodyBytes = MaxBodyBytes, Clock = WallClock.For(config.TimeZone) };
        var listenerOptions = new WebhookListenerOptions
        {
            Address = config.WebhookListen, Port = config.WebhookPort, Path = config.WebhookPath, MaxBodyBytes = MaxBodyBytes,
        };
        WebhookService? service = null;
        // systemd stops a service with SIGTERM: the same clean stop as Ctrl+C, and the summary still gets written.
        using var terminated = new CancellationTokenSource();
        using var sigterm = OperatingSystem.IsWindows() ? null : PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true;
            terminated.Cancel();
        });
        Task? serving = null;
        async Task ServeAsync(CancellationToken cancellation)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation, terminated.Token);
            var observer = new StoppableObserver(Queue);
            using var api = Engine.CreateApi(config, new ApiOptions(), observer);
            using var store = Engine.CreateClickHouseStore(config, observer);
            service = new WebhookService(secret, receiverOptions, store, api,
                handler => Engine.CreateWebhookListener(listenerOptions, handler, observer), observer,
                line => observer.Information(line, "QTickets.Webhook"), TimeSpan.FromMilliseconds(FactsDelayMilliseconds));
            await service.RunAsync(stop.Token, () => observer.Information(
                $"qtickets webhook receiver listening on {service.Listener.Url} -> {config.ClickHouseUrl}/{config.ClickHouseDatabase}, " +
                $"events from {config.BaseUrl} (token {config.TokenFingerprint})", "QTickets.Webhook")).ConfigureAwait(false);
        }
        try
        {
            Run(cancellation => serving = ServeAsync(cancellation));
        }
        catch (InvalidOperationException ex) when (!StopToken.IsCancellationRequested)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "QTickets.Webhook.ListenFailed", ErrorCategory.ResourceUnavailable, listenerOptions.Port));
        }
        catch (Exception) when (StopToken.IsCancellationRequested)
        {
            // Ctrl+C: the pipeline no longer takes output, but the deliveries in progress still finish and the facts
            // still catch up before the process may exit.
            serving?.ContinueWith(_ => { }, TaskScheduler.Default).Wait(TimeSpan.FromSeconds(30));
            throw;
        }
        if (service is not null)
            WriteObject(new WebhookReceiverSummary(service.Listener.Url, started, DateTimeOffset.UtcNow, service.Receiver.Counters, service.Staging.Batches,
                service.Facts.Recomputations));
    }
}
