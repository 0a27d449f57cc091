using System.Net;
using System.Net.Sockets;
using QTickets.Core.Contracts;
using QTickets.Tests.Shared;
using QTickets.Core.Transform;

namespace QTickets.Unit.Tests.ClickHouse;

/// <summary>The exactly-once effect and the daily facts, against the real server.</summary>
public sealed class WriteTests : IClassFixture<TestClickHouse>
{
    readonly TestClickHouse _ch;
    readonly string _db;

    public WriteTests(TestClickHouse ch)
    {
        _ch = ch;
        _db = ch.Database;
        using var store = StoreHelpers.Admin(ch);
        StoreHelpers.Initialize(store);
    }

    static readonly DateTime Day1 = new(2025, 11, 3, 10, 15, 0);
    static readonly DateTime Day2 = new(2025, 11, 4, 18, 40, 5);

    string Totals(string eventId) => _ch.Admin(
        $"SELECT count(), sum(tickets_sold), sum(revenue) FROM {_db}.stg_qtickets_api_orders_raw FINAL WHERE event_id = '{eventId}'");

    long Raw(string eventId) => _ch.Count($"SELECT count() FROM {_db}.stg_qtickets_api_orders_raw WHERE event_id = '{eventId}'");

    [Fact]
    public void Same_rows_twice_leave_raw_counts_and_final_totals_unchanged()
    {
        var rows = Enumerable.Range(1, 2500).Select(i => StoreHelpers.Sale(100_000 + i, Day1.AddMinutes(i), 2, 150.25m, 7, eventId: "twice")).ToList();
        using var store = StoreHelpers.Admin(_ch);
        var first = StoreHelpers.Write(store, KnownTables.OrdersStaging, rows, batchSize: 1000);
        Assert.Equal(2500, first.Rows);
        Assert.Equal(3, first.Batches);
        var totals = Totals("twice");
        Assert.Equal("2500\t5000\t375625", totals);
        StoreHelpers.Write(store, KnownTables.OrdersStaging, rows, batchSize: 1000);
        Assert.Equal(2500, Raw("twice")); // the repeat was dropped by its tokens, not merely hidden by FINAL
        Assert.Equal(totals, Totals("twice"));
    }

    [Fact]
    public void Batch_retried_after_the_connection_dropped_mid_insert_is_kept_once()
    {
        using var proxy = new DroppingProxy(_ch.Port, dropAfterRequestBytes: 1_500);
        var rows = Enumerable.Range(1, 600).Select(i => StoreHelpers.Sale(200_000 + i, Day1, 1, 99.99m, 8, eventId: "retry")).ToList();
        var warnings = new List<string>();
        using var store = StoreHelpers.As(_ch, _ch.AdminUser, _ch.AdminPassword, new ListObserver(warnings), proxy.Port);
        var result = StoreHelpers.Write(store, KnownTables.OrdersStaging, rows, batchSize: 600, observer: new ListObserver(warnings));
        Assert.True(proxy.Dropped, "the proxy should have cut one insert's response");
        Assert.Contains(warnings, w => w.Contains("retrying the same batch", StringComparison.Ordinal));
        Assert.Equal(600, result.Rows);
        // The server committed the first attempt; the retry with the same token was dropped.
        Assert.Equal(600, Raw("retry"));
        Assert.Equal("600\t600\t59994", Totals("retry"));
    }

    [Fact]
    public void A_scoped_batch_retried_is_kept_once_and_the_same_rows_under_another_scope_are_inserted_again()
    {
        using var proxy = new DroppingProxy(_ch.Port, dropAfterRequestBytes: 1_500);
        var rows = Enumerable.Range(1, 600).Select(i => StoreHelpers.Sale(500_000 + i, Day1, 1, 10m, 8, eventId: "scoped")).ToList();
        var warnings = new List<string>();
        using var store = StoreHelpers.As(_ch, _ch.AdminUser, _ch.AdminPassword, new ListObserver(warnings), proxy.Port);
        // No merge may collapse the copies while they are counted.
        _ch.Admin($"SYSTEM STOP MERGES {_db}.stg_qtickets_api_orders_raw");
        try
        {
            StoreHelpers.Write(store, KnownTables.OrdersStaging, rows, batchSize: 600, observer: new ListObserver(warnings), scope: "run-1");
            Assert.True(proxy.Dropped, "the proxy should have cut one insert's response");
            Assert.Contains(warnings, w => w.Contains("retrying the same batch", StringComparison.Ordinal));
            // The retry within the scope was dropped by its token.
            Assert.Equal(600, Raw("scoped"));
            // The same scope again (a retry of the whole writer): dropped too.
            StoreHelpers.Write(store, KnownTables.OrdersStaging, rows, batchSize: 600, scope: "run-1");
            Assert.Equal(600, Raw("scoped"));
            // Another run writes the same bytes: inserted (so it restores rows deleted meanwhile); FINAL unchanged.
            StoreHelpers.Write(store, KnownTables.OrdersStaging, rows, batchSize: 600, scope: "run-2");
            Assert.Equal(1200, Raw("scoped"));
            Assert.Equal("600\t600\t6000", Totals("scoped"));
        }
        finally
        {
            _ch.Admin($"SYSTEM START MERGES {_db}.stg_qtickets_api_orders_raw");
        }
    }

    [Fact]
    public void A_refund_loaded_later_lowers_staging_daily_and_utm_daily_to_the_truth()
    {
        using var store = StoreHelpers.Admin(_ch);
        var v1 = new[]
        {
            StoreHelpers.Sale(300_001, Day1, 2, 1000m, 10, eventId: "refund"),
            StoreHelpers.Sale(300_002, Day1.AddHours(1), 3, 1500.50m, 10, eventId: "refund", utmSource: ""),
            StoreHelpers.Sale(300_003, Day2, 1, 500m, 10, eventId: "refund"),
        };
        StoreHelpers.Write(store, KnownTables.OrdersStaging, v1);
        var days = store.GetSaleDaysAsync(10, default).GetAwaiter().GetResult();
        Assert.Equal(new[] { DateOnly.FromDateTime(Day1), DateOnly.FromDateTime(Day2) }, days);
        store.RecomputeDailyFactsAsync(days, 1_000, default).GetAwaiter().GetResult();
        Assert.Equal("2025-11-03\t5\t2500.5\n2025-11-04\t1\t500", Daily("refund"));

        // Later: order 300_002 refunded (the transform stages it with 0 tickets, 0 revenue), and day 2's only
        // order is re-staged under another event, so day 2 of "refund" loses all its rows: its fact row goes too.
        var v2 = new[]
        {
            StoreHelpers.Sale(300_002, Day1.AddHours(1), 0, 0m, 11, eventId: "refund", utmSource: ""),
            StoreHelpers.Sale(300_003, Day2, 1, 500m, 11, eventId: "refund-moved"),
        };
        StoreHelpers.Write(store, KnownTables.OrdersStaging, v2);
        store.RecomputeDailyFactsAsync(store.GetSaleDaysAsync(11, default).GetAwaiter().GetResult(), 1_001, default).GetAwaiter().GetResult();

        Assert.Equal("2\t2\t1000", Totals("refund"));
        Assert.Equal("2025-11-03\t2\t1000", Daily("refund"));
        Assert.Equal("2025-11-03\t2\t1000", Daily("refund", final: false));
        Assert.Equal("2025-11-03\t\t0\t0\n2025-11-03\tvk\t2\t1000", _ch.Admin(
            $"SELECT sales_date, utm_source, tickets_sold, revenue FROM {_db}.fact_qtickets_sales_utm_daily FINAL " +
            "WHERE event_id = 'refund' ORDER BY sales_date, utm_source"));
        Assert.Equal("2025-11-04\t1\t500", Daily("refund-moved"));
        // A recomputation with nothing changed leaves the same truth (and a newer _ver).
        store.RecomputeDailyFactsAsync(new[] { DateOnly.FromDateTime(Day1) }, 1_002, default).GetAwaiter().GetResult();
        Assert.Equal("2025-11-03\t2\t1000", Daily("refund"));
        Assert.Equal("2025-11-03\t2\t1000\t1002", _ch.Admin(
            $"SELECT sales_date, tickets_sold, revenue, _ver FROM {_db}.fact_qtickets_sales_daily WHERE event_id = 'refund' ORDER BY sales_date"));
    }

    /// <summary>The event's daily facts, read with FINAL or plainly (as people and the legacy runbook do).</summary>
    string Daily(string eventId, bool final = true) => _ch.Admin(
        $"SELECT sales_date, tickets_sold, revenue FROM {_db}.fact_qtickets_sales_daily{(final ? " FINAL" : "")} WHERE event_id = '{eventId}' ORDER BY sales_date");

    [Fact]
    public void Naive_moscow_times_and_decimals_round_trip_exactly()
    {
        using var store = StoreHelpers.Admin(_ch);
        StoreHelpers.Write(store, KnownTables.OrdersStaging, new[] { StoreHelpers.Sale(400_001, new DateTime(2019, 7, 30, 12, 50, 52), 1, 0.29m, 12, eventId: "exact") });
        Assert.Equal("2019-07-30 12:50:52\t0.29",
            _ch.Admin($"SELECT toString(sale_ts), toString(revenue) FROM {_db}.stg_qtickets_api_orders_raw WHERE event_id = 'exact'"));
    }

    [Fact]
    public void Any_row_type_goes_to_any_table_by_its_property_names_and_the_rest_take_their_defaults()
    {
        using var store = StoreHelpers.Admin(_ch);
        var events = new[] { new { event_id = "e1", event_name = "Концерт", city = "томск", _ver = 5UL } };
        var result = StoreHelpers.Write(store, KnownTables.Events, events);
        Assert.Equal(1, result.Rows);
        Assert.Equal("e1\tКонцерт\tтомск\t0", _ch.Admin($"SELECT event_id, event_name, city, tickets_total FROM {_db}.dim_events FINAL"));
    }

    [Fact]
    public void Runs_and_watermarks_are_recorded()
    {
        using var store = StoreHelpers.Admin(_ch);
        Assert.Null(store.ReadWatermarkAsync("qtickets_api", default).GetAwaiter().GetResult());
        var mark = new DateTimeOffset(2025, 11, 3, 18, 0, 0, TimeSpan.FromHours(3));
        store.WriteWatermarkAsync("qtickets_api", mark, default).GetAwaiter().GetResult();
        store.WriteWatermarkAsync("qtickets_api", mark.AddHours(1), default).GetAwaiter().GetResult();
        Assert.Equal(mark.AddHours(1), store.ReadWatermarkAsync("qtickets_api", default).GetAwaiter().GetResult());
        var run = new LoadRun
        {
            StartedAt = new DateTime(2025, 11, 3, 18, 57, 11), FinishedAt = new DateTime(2025, 11, 3, 18, 58, 0), Status = QTickets.Core.Load.LoadStatus.Ok,
            RowsProcessed = 40, Message = """{"status": "ok", "orders": 40}""", Metrics = $$"""{"orders": 40, "note": "{{_ch.AdminPassword}}"}""",
        };
        store.RecordRunAsync(run, default).GetAwaiter().GetResult();
        var row = _ch.Admin($"SELECT job, toString(run_id), toString(started_at), status, rows_processed, message, metrics FROM {_db}.meta_job_runs");
        Assert.Equal($"qtickets_api\t{run.RunId}\t2025-11-03 18:57:11\tok\t40\t{{\"status\": \"ok\", \"orders\": 40}}\t{{\"orders\": 40, \"note\": \"***\"}}", row);
        Assert.Throws<ArgumentException>(() => store.RecordRunAsync(new LoadRun { Status = QTickets.Core.Load.LoadStatus.DryRun }, default).GetAwaiter().GetResult());
    }

    sealed class ListObserver(List<string> warnings) : IRunObserver
    {
        public void Verbose(string message) { }
        public void Warning(string message) { lock (warnings) warnings.Add(message); }
        public void Progress(ProgressUpdate update) { }
    }

    /// <summary>
    /// A TCP proxy to the server that, once, lets a large request through whole and then closes the client's
    /// connection instead of relaying the response: the server committed the insert, the client saw a dropped
    /// connection (the case where a blind retry would duplicate).
    /// </summary>
    sealed class DroppingProxy : IDisposable
    {
        readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        readonly int _target;
        readonly int _dropAfter;
        readonly CancellationTokenSource _stop = new();
        int _dropped;

        public DroppingProxy(int target, int dropAfterRequestBytes)
        {
            _target = target;
            _dropAfter = dropAfterRequestBytes;
            _listener.Start();
            _ = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
        public bool Dropped => Volatile.Read(ref _dropped) == 1;

        async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
                catch { return; }
                _ = ServeAsync(client);
            }
        }

        async Task ServeAsync(TcpClient client)
        {
            using var c = client;
            using var server = new TcpClient();
            await server.ConnectAsync(IPAddress.Loopback, _target);
            var up = c.GetStream();
            var down = server.GetStream();
            long sent = 0;
            var upTask = Task.Run(async () =>
            {
                var buffer = new byte[65536];
                int n;
                try
                {
                    while ((n = await up.ReadAsync(buffer, _stop.Token)) > 0)
                    {
                        await down.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
                        Interlocked.Add(ref sent, n);
                    }
                }
                catch { /* either side closed */ }
            });
            var buffer2 = new byte[65536];
            try
            {
                int n;
                while ((n = await down.ReadAsync(buffer2, _stop.Token)) > 0)
                {
                    if (Interlocked.Read(ref sent) > _dropAfter && Interlocked.CompareExchange(ref _dropped, 1, 0) == 0)
                    {
                        c.Client.LingerState = new LingerOption(true, 0);
                        c.Close(); // RST: the client never sees the server's 200
                        return;
                    }
                    await up.WriteAsync(buffer2.AsMemory(0, n), _stop.Token);
                }
            }
            catch { /* closed */ }
            await upTask;
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
        }
    }
}
