using QTickets.Core.Contracts;

namespace QTickets.Core.Webhooks;

/// <summary>
/// The receiver as a long-running service: the listener, the staging committer, the facts refresher, and at start
/// the catch-up of facts left behind staging (by a receiver killed between the two). Start-QTicketsWebhookReceiver
/// runs one until Ctrl+C or SIGTERM; tests and benchmarks run it in process.
/// <para>
/// ClickHouse may be down when it starts or at any time after: deliveries then get 503 (QTickets retries them),
/// the catch-up and the pending facts are retried, and nothing needs a restart once ClickHouse is back. A stop
/// lets the requests in progress finish, commits what they queued, and recomputes the facts still pending.
/// </para>
/// </summary>
public sealed class WebhookService
{
    readonly IRunObserver _observer;

    /// <param name="listen">Makes the HTTP listener for the receiver (IEngine.CreateWebhookListener).</param>
    public WebhookService(byte[] secret, WebhookReceiverOptions options, IClickHouseStore store, IQTicketsApi api,
        Func<IWebhookHandler, IWebhookListener> listen, IRunObserver observer, Action<string> log, TimeSpan? factsDelay = null)
    {
        _observer = observer;
        Staging = new StagingCommitter(store, observer);
        Facts = new FactsRefresher(store, observer, delay: factsDelay);
        Receiver = new WebhookReceiver(secret, options, new WebhookEvents(api), Staging, Facts, log);
        Listener = listen(Receiver);
    }

    public WebhookReceiver Receiver { get; }
    public StagingCommitter Staging { get; }
    public FactsRefresher Facts { get; }
    public IWebhookListener Listener { get; }

    /// <summary>True once the start's catch-up of facts has run (it is retried while ClickHouse fails).</summary>
    public bool CaughtUp { get; private set; }

    public async Task RunAsync(CancellationToken stop, Action? listening = null)
    {
        using var factsStop = new CancellationTokenSource();
        var commit = Staging.RunAsync(CancellationToken.None);
        var facts = Facts.RunAsync(factsStop.Token);
        var catchUp = CatchUpAsync(stop);
        try
        {
            await Listener.RunAsync(stop, listening).ConfigureAwait(false);
        }
        finally
        {
            Staging.Complete();
            await commit.ConfigureAwait(false);
            await catchUp.ConfigureAwait(false);
            factsStop.Cancel();
            await facts.ConfigureAwait(false);
        }
    }

    async Task CatchUpAsync(CancellationToken stop)
    {
        var pause = TimeSpan.FromSeconds(1);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var days = await Facts.CatchUpAsync(stop).ConfigureAwait(false);
                if (days > 0) _observer.Warning($"{days} sale day(s) had daily facts behind staging (a receiver stopped before recomputing them): recomputing.");
                CaughtUp = true;
                return;
            }
            catch (ClickHouseStoreException ex)
            {
                _observer.Warning($"Comparing staging with the daily facts failed, retrying in {pause.TotalSeconds:0} s: {ex.Message}");
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            try { await Task.Delay(pause, stop).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
        }
    }
}
