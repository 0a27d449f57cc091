using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using QTickets.Core.Configuration;
using QTickets.Core.Contracts;
using QTickets.Core.Model;
using QTickets.Core.Transform;
using QTickets.Core.Webhooks;
using QTickets.Engine.ClickHouse;
using QTickets.Tests.Shared;
using QTickets.Unit.Tests.ClickHouse;

namespace QTickets.Unit.Tests.Webhooks;

/// <summary>The receiver's rules against the real ClickHouse: signature, version rule, 503, facts.</summary>
public sealed class WebhookReceiverTests : IClassFixture<TestClickHouse>, IDisposable
{
    const long EventId = 31000;
    static readonly byte[] s_secret = Encoding.UTF8.GetBytes("receiver-test-secret-0123456789");
    static readonly DateTimeOffset s_paid = new(2026, 11, 20, 12, 10, 5, TimeSpan.FromHours(3));

    readonly TestClickHouse _ch;
    readonly ClickHouseStore _store;
    readonly List<string> _log = [];

    public WebhookReceiverTests(TestClickHouse ch)
    {
        _ch = ch;
        _store = StoreHelpers.Admin(ch);
        StoreHelpers.Initialize(_store);
    }

    public void Dispose() => _store.Dispose();

    /// <summary>An order in the API's shape with one 900-rouble ticket and personal data (to catch leaks).</summary>
    static string Order(long id, DateTimeOffset? payedAt, DateTimeOffset updatedAt, bool refunded = false, long eventId = EventId)
    {
        static string T(DateTimeOffset t) => "\"" + t.ToOffset(TimeSpan.FromHours(3)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture) + "\"";
        var created = s_paid.AddMinutes(-1);
        var basket = $"{{\"id\":{id * 10},\"show_id\":200001,\"seat_id\":\"P-1;{id % 20}\",\"seat_name\":\"Партер\",\"original_price\":1000,\"price\":900," +
                     $"\"ticket_amount\":900,\"quantity\":1,\"client_email\":\"holder{id}@example.test\",\"client_phone\":\"+70000000{id % 1000:000}\"," +
                     $"\"client_name\":\"Holdername\",\"created_at\":{T(created)},\"updated_at\":{T(updatedAt)},\"deleted_at\":null," +
                     $"\"refunded_at\":{(refunded ? T(updatedAt) : "null")},\"refunded_amount\":{(refunded ? "900" : "null")},\"refunds\":[]}}";
        return $"{{\"id\":{id},\"uniqid\":\"u{id}\",\"payed\":{(payedAt is null ? "false" : "true")},\"payed_at\":{(payedAt is null ? "null" : T(payedAt.Value))}," +
               $"\"client_id\":1,\"client\":{{\"id\":1,\"email\":\"buyer{id}@example.test\",\"details\":{{\"id\":1,\"name\":\"Buyername\",\"phone\":\"+70000001{id % 1000:000}\"}}}}," +
               $"\"event_id\":{eventId},\"price\":900,\"original_price\":1000,\"currency_id\":\"RUB\",\"utm\":{{\"utm_source\":\"vk\"}},\"custom\":\"\",\"fields\":[]," +
               $"\"baskets\":[{basket}],\"refunds\":[],\"integrations\":[],\"created_at\":{T(created)},\"updated_at\":{T(updatedAt)},\"deleted_at\":null}}";
    }

    sealed class Events : IQTicketsApi
    {
        public int Requests;
        public bool Down;

        public Task<Event> GetEventAsync(long id, CancellationToken cancellation = default)
        {
            Interlocked.Increment(ref Requests);
            if (Down) throw new QTicketsUnavailableException("QTickets answered 503 three times", "GET /events/" + id, 503, "", 3, timedOut: false, circuitOpen: false);
            if (id != EventId) throw new QTicketsNotFoundException("Resource \"Event\" not found", "GET /events/" + id, "Event", id, "");
            return Task.FromResult(new Event { Id = id, City = "Москва", Name = "Concert" });
        }

        public IAsyncEnumerable<Order> GetOrdersAsync(OrderQuery query, CancellationToken cancellation = default) => throw new NotSupportedException();
        public Task<Order> GetOrderAsync(long id, bool includePersonalData, CancellationToken cancellation = default) => throw new NotSupportedException();
        public IAsyncEnumerable<Event> GetEventsAsync(CancellationToken cancellation = default) => throw new NotSupportedException();
        public Task<ShowSeatTotals> GetShowSeatsAsync(long showId, CancellationToken cancellation = default) => throw new NotSupportedException();
        public IAsyncEnumerable<PromoCode> GetPromoCodesAsync(CancellationToken cancellation = default) => throw new NotSupportedException();
        public IAsyncEnumerable<Discount> GetDiscountsAsync(CancellationToken cancellation = default) => throw new NotSupportedException();
        public Task<IReadOnlyList<ColorTheme>> GetColorThemesAsync(CancellationToken cancellation = default) => throw new NotSupportedException();
        public PagesInFlightReport PagesInFlight => new("pinned", 1, 1, 1, 1, 1, 0, 0, 0, 0, 0);
        public void Dispose() { }
    }

    sealed class Rig : IAsyncDisposable
    {
        readonly CancellationTokenSource _stop = new();
        readonly Task _commit, _facts;

        public Rig(IClickHouseStore store, List<string> log, Events? events = null)
        {
            Api = events ?? new Events();
            Staging = new StagingCommitter(store, NullRunObserver.Instance);
            Facts = new FactsRefresher(store, NullRunObserver.Instance, delay: TimeSpan.FromMilliseconds(20));
            Receiver = new WebhookReceiver(s_secret, new WebhookReceiverOptions(), new WebhookEvents(Api), Staging, Facts, l => { lock (log) log.Add(l); });
            _commit = Staging.RunAsync(CancellationToken.None);
            _facts = Facts.RunAsync(_stop.Token);
        }

        public Events Api { get; }
        public StagingCommitter Staging { get; }
        public FactsRefresher Facts { get; }
        public WebhookReceiver Receiver { get; }

        public Task<WebhookResponse> DeliverAsync(string body, string eventType = "payed", string? signature = null, string path = "/qtickets/webhook", string method = "POST")
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            return Receiver.HandleAsync(new WebhookRequest(method, path, signature ?? WebhookSignature.Sign(bytes, s_secret), eventType, "Order", bytes, "127.0.0.1"), default);
        }

        public async ValueTask DisposeAsync()
        {
            Staging.Complete();
            await _commit;
            _stop.Cancel();
            await _facts;
        }
    }

    string Staged(long id) => _ch.Admin($"SELECT tickets_sold, revenue, _ver FROM {_ch.Database}.stg_qtickets_api_orders_raw FINAL WHERE order_id = '{id}'");
    ulong StagedVersion(long id) => ulong.Parse(Staged(id).Split('\t')[2], CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_paid_order_is_staged_as_the_loader_stages_it_and_its_day_reaches_the_facts()
    {
        await using var rig = new Rig(_store, _log);
        var updated = s_paid.AddSeconds(2);
        var answer = await rig.DeliverAsync(Order(5001, s_paid, updated));
        Assert.True(answer.Status == 200, answer.LogLine);
        Assert.Equal($"1\t900\t{RowVersion.Microseconds(updated)}", Staged(5001));
        var payload = _ch.Admin($"SELECT payload_json FROM {_ch.Database}.stg_qtickets_api_orders_raw WHERE order_id = '5001'");
        Assert.DoesNotContain("example.test", payload);
        Assert.DoesNotContain("Buyername", payload);
        for (var i = 0; i < 100 && rig.Facts.Recomputations == 0; i++) await Task.Delay(50);
        // Other tests of this class stage orders on the same day: the facts must equal staging's sum for it.
        var staging = _ch.Admin($"SELECT sum(tickets_sold), sum(revenue) FROM {_ch.Database}.stg_qtickets_api_orders_raw FINAL " +
                                "WHERE toDate(sale_ts) = '2026-11-20'");
        Assert.Equal(staging, _ch.Admin($"SELECT sum(tickets_sold), sum(revenue) FROM {_ch.Database}.fact_qtickets_sales_daily FINAL " +
                                        "WHERE sales_date = '2026-11-20'"));
        Assert.Contains("Москва", _ch.Admin($"SELECT city FROM {_ch.Database}.fact_qtickets_sales_daily FINAL WHERE event_id = '{EventId}'"));
        Assert.DoesNotContain(_log, l => l.Contains("example.test") || l.Contains("Buyername") || l.Contains("Holdername"));
    }

    [Fact]
    public async Task A_delivery_is_answered_200_only_after_its_part_is_synced_to_disk()
    {
        await using var rig = new Rig(_store, _log);
        long Syncs() => _ch.Count("SELECT sum(value) FROM system.events WHERE event IN ('FileSync', 'DirectorySync')");
        Assert.Contains("fsync_after_insert = 1, fsync_part_directory = 1",
            _ch.Admin($"SELECT create_table_query FROM system.tables WHERE database = '{_ch.Database}' AND name = 'stg_qtickets_api_orders_raw'"));
        var before = Syncs();
        var answer = await rig.DeliverAsync(Order(5010, s_paid, s_paid.AddSeconds(3)));
        Assert.True(answer.Status == 200, answer.LogLine);
        // By the time of the 200 the server has synced the new part's files and its directory (ClickHouse's own
        // count; without the table settings an insert syncs nothing).
        Assert.True(Syncs() >= before + 2, $"ClickHouse synced {Syncs() - before} files for the staged delivery");
    }

    [Fact]
    public async Task Duplicates_and_late_or_reordered_deliveries_change_nothing_the_newer_state_wins()
    {
        await using var rig = new Rig(_store, _log);
        var paid = Order(5002, s_paid, s_paid.AddSeconds(1));
        var refunded = Order(5002, s_paid, s_paid.AddHours(2), refunded: true);
        Assert.Equal(200, (await rig.DeliverAsync(refunded, "refunded")).Status);
        var version = StagedVersion(5002);
        var late = await rig.DeliverAsync(paid, "payed");
        Assert.Equal(200, late.Status);
        Assert.Contains("unchanged", late.LogLine);
        var duplicate = await rig.DeliverAsync(refunded, "refunded");
        Assert.Contains("unchanged", duplicate.LogLine);
        Assert.Equal($"0\t0\t{version}", Staged(5002));
        Assert.Equal(1, rig.Receiver.Counters.Staged);
        Assert.Equal(2, rig.Receiver.Counters.Unchanged);
    }

    [Fact]
    public async Task A_newer_state_replaces_a_row_the_loader_raised_above_it()
    {
        await using var rig = new Rig(_store, _log);
        // The scheduled load staged the paid state with its floor: a _ver far above the source's updated_at.
        var loaderVersion = RowVersion.Microseconds(s_paid.AddDays(30));
        StoreHelpers.Write(_store, KnownTables.OrdersStaging, new[]
        {
            new SalesRowConverter(WallClock.Moscow, floor: loaderVersion).ToSalesRow(
                QTickets.Core.Transform.OrderJsonReader.Read(Order(5003, s_paid, s_paid.AddSeconds(1)), false)[0],
                new Event { Id = EventId, City = "Москва" }, out _)!,
        });
        Assert.Equal(loaderVersion, StagedVersion(5003));
        var answer = await rig.DeliverAsync(Order(5003, s_paid, s_paid.AddHours(1), refunded: true), "refunded");
        Assert.True(answer.Status == 200, answer.LogLine);
        Assert.Equal($"0\t0\t{loaderVersion + 1}", Staged(5003));
        // The loader's state again (the same updated_at as the staged payload): nothing changes.
        Assert.Contains("unchanged", (await rig.DeliverAsync(Order(5003, s_paid, s_paid.AddSeconds(1)))).LogLine);
        Assert.Equal($"0\t0\t{loaderVersion + 1}", Staged(5003));
    }

    [Fact]
    public async Task A_bad_signature_gets_401_and_a_log_line_without_the_body_and_stages_nothing()
    {
        await using var rig = new Rig(_store, _log);
        var body = Order(5004, s_paid, s_paid.AddSeconds(1));
        var forged = await rig.DeliverAsync(body, signature: WebhookSignature.Sign(Encoding.UTF8.GetBytes(body), Encoding.UTF8.GetBytes("guessed-secret-0123456789")));
        var missing = await rig.Receiver.HandleAsync(new WebhookRequest("POST", "/qtickets/webhook", null, "payed", "Order", Encoding.UTF8.GetBytes(body), "10.0.0.9"), default);
        Assert.Equal(401, forged.Status);
        Assert.Equal(401, missing.Status);
        Assert.Contains("no X-Signature", missing.LogLine);
        Assert.Equal("", Staged(5004));
        Assert.Equal(2, rig.Receiver.Counters.Unauthorized);
        Assert.DoesNotContain(_log, l => l.Contains("5004") || l.Contains("example.test") || l.Contains("900"));
    }

    [Fact]
    public async Task Only_POST_on_the_path_within_the_size_limit_and_unpaid_or_unknown_orders_are_answered_without_staging()
    {
        await using var rig = new Rig(_store, _log);
        Assert.Equal(404, rig.Receiver.Admit("POST", "/other", 10)!.Status);
        Assert.Equal(405, rig.Receiver.Admit("GET", "/qtickets/webhook", null)!.Status);
        Assert.Equal(413, rig.Receiver.Admit("POST", "/qtickets/webhook", 2 * 1024 * 1024)!.Status);
        Assert.Null(rig.Receiver.Admit("POST", "/qtickets/webhook", 1000));
        Assert.Equal(400, (await rig.DeliverAsync("[1,2]")).Status);
        var unpaid = await rig.DeliverAsync(Order(5005, null, s_paid), "created");
        Assert.Equal(200, unpaid.Status);
        Assert.Contains("not paid", unpaid.LogLine);
        var unknownEvent = await rig.DeliverAsync(Order(5006, s_paid, s_paid, eventId: 999));
        Assert.Equal(200, unknownEvent.Status);
        Assert.Contains("rejected", unknownEvent.LogLine);
        Assert.Equal("", Staged(5005) + Staged(5006));
    }

    [Fact]
    public async Task ClickHouse_or_the_API_down_is_503_so_QTickets_retries()
    {
        // A port where nothing listens.
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var deadPort = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        using var dead = StoreHelpers.As(_ch, _ch.AdminUser, _ch.AdminPassword, port: deadPort);
        await using (var rig = new Rig(dead, _log))
        {
            var answer = await rig.DeliverAsync(Order(5007, s_paid, s_paid));
            Assert.True(answer.Status == 503, answer.LogLine);
            Assert.Contains("ClickHouse", answer.LogLine);
        }
        await using (var rig = new Rig(_store, _log, new Events { Down = true }))
        {
            var answer = await rig.DeliverAsync(Order(5008, s_paid, s_paid));
            Assert.True(answer.Status == 503, answer.LogLine);
        }
        Assert.Equal("", Staged(5007) + Staged(5008));
    }

    [Fact]
    public async Task Hundreds_of_concurrent_deliveries_share_few_inserts_and_each_order_is_staged_once_at_its_newest_state()
    {
        await using var rig = new Rig(_store, _log);
        var deliveries = new List<(string Body, string Kind)>();
        for (var id = 6000L; id < 6200; id++)
        {
            deliveries.Add((Order(id, s_paid, s_paid.AddSeconds(1)), "payed"));
            deliveries.Add((Order(id, s_paid, s_paid.AddSeconds(1)), "payed"));
            if (id % 4 == 0) deliveries.Add((Order(id, s_paid, s_paid.AddMinutes(5), refunded: true), "refunded"));
        }
        var shuffled = deliveries.OrderBy(_ => Random.Shared.Next()).ToList();
        var answers = await Task.WhenAll(shuffled.Select(d => Task.Run(() => rig.DeliverAsync(d.Body, d.Kind))));
        Assert.All(answers, a => Assert.True(a.Status == 200, a.LogLine));
        Assert.True(rig.Staging.Batches < deliveries.Count / 4, $"{rig.Staging.Batches} inserts for {deliveries.Count} deliveries");
        Assert.Equal("200\t150\t135000", _ch.Admin($"SELECT count(), sum(tickets_sold), sum(revenue) FROM {_ch.Database}.stg_qtickets_api_orders_raw FINAL " +
                                                    "WHERE toUInt64(order_id) BETWEEN 6000 AND 6199"));
        Assert.Equal(1, rig.Api.Requests);
    }
}
