using QTickets.Sandbox.Json;

namespace QTickets.Sandbox.Data;

/// <summary>
/// The generated store: events/shows/seat maps in several cities, clients, discounts, promo codes and
/// orders with a life cycle (reservation → paid / expired / cancelled → refunded / cancelled), driven by a
/// virtual clock. Everything is a function of (seed, options, sequence of clock advances).
/// Orders are kept compact (ints for timestamps and kopecks) and rendered per request.
/// </summary>
internal sealed class World
{
    public readonly object Sync = new();
    public long Seed { get; }
    public int Now { get; private set; }
    public int AdvanceCount { get; private set; }
    /// <summary>Bumped by every clock advance (the only thing that creates or changes orders after start).</summary>
    public int Version { get; private set; }
    public double RatePerHour { get; }

    public List<City> Cities { get; } = [];
    public List<EventInfo> Events { get; } = [];
    public Dictionary<int, EventInfo> EventById { get; } = [];
    public Dictionary<int, ShowInfo> ShowById { get; } = [];
    public List<ShowInfo> AllShows { get; } = [];
    public List<DiscountInfo> Discounts { get; } = [];
    public List<Order> Orders { get; } = [];
    public int ClientCount { get; private set; }

    /// <summary>
    /// What the last clock advance did, in the order it happened: each order and the webhook event type QTickets sends
    /// for it (created, payed, deleted, refunded). The webhook dispatcher delivers them.
    /// </summary>
    public List<(Order Order, string EventType)> LastEvents { get; } = [];

    public IResourceSet OrdersSet { get; }
    public IResourceSet ClientsSet { get; }
    public NodeSet EventsSet { get; private set; } = null!;
    public NodeSet DiscountsSet { get; private set; } = null!;
    public NodeSet PromoCodesSet { get; private set; } = null!;

    private long _nextOrderId = 1_700_000;
    private long _nextBasketId = 13_000_000;
    private int _nextRefundId = 90_000;
    private long _queueSeq;
    private readonly PriorityQueue<Pending, (int Time, long Seq)> _queue = new();

    public static readonly Site[] Sites = [new(1000, "tickets.example.test"), new(1001, "\u0431\u0438\u043b\u0435\u0442\u044b.example.test")];

    private static readonly string[][] UtmPresets =
    [
        [],
        ["yandex", "cpc", "autumn_sale", "ad_1001", "\u043a\u043e\u043d\u0446\u0435\u0440\u0442 \u0431\u0438\u043b\u0435\u0442\u044b"],
        ["vk", "social", "anons"],
        ["google", "cpc", "brand", "ad_2002"],
        ["telegram", "post", "channel_main"],
        ["email", "newsletter", "weekly_2026"],
    ];

    public static JObject UtmNode(byte idx)
    {
        var p = UtmPresets[idx];
        var o = new JObject().Add("utm_source", p[0]).Add("utm_medium", p[1]).Add("utm_campaign", p[2]);
        if (p.Length > 3) o.Add("utm_content", p[3]);
        if (p.Length > 4) o.Add("utm_term", p[4]);
        return o;
    }

    // Seat map layout of every generated show.
    public const int ParterreRows = 10, ParterrePlaces = 20, BalconyRows = 4, BalconyPlaces = 15;
    public const int BalconyStart = ParterreRows * ParterrePlaces;
    public const int AdmissionIdx = BalconyStart + BalconyRows * BalconyPlaces;

    private enum Act : byte { Pay, Expire, Cancel, RefundPartial, RefundFull, CancelPaid }
    private readonly record struct Pending(Order Order, Act Act);

    public sealed record Options(long Seed, int Orders, int Events, DateTimeOffset Now, int HistoryDays, double? RatePerHour);

    public World(Options opt)
    {
        Seed = opt.Seed;
        Now = Time.From(opt.Now);
        RatePerHour = opt.RatePerHour ?? Math.Max(12, opt.Orders / (opt.HistoryDays * 24.0));
        OrdersSet = new OrderSet(this);
        ClientsSet = new ClientSet(this);
        var rng = new Random(unchecked((int)(opt.Seed * 2654435761L)));
        ClientCount = Math.Max(50, opt.Orders * 6 / 10);
        BuildCities();
        BuildEvents(rng, Math.Max(1, opt.Events), opt.Orders);
        BuildDiscounts(rng);
        GenerateHistory(rng, opt.Orders, opt.HistoryDays);
        RebuildEventNodes();
    }

    // ---------------------------------------------------------------- catalogue

    private void BuildCities()
    {
        Cities.AddRange([
            new(1, "\u041c\u043e\u0441\u043a\u0432\u0430", "Europe/Moscow", "moscow", 3, 55.7558, 37.6173),
            new(2, "\u0421\u0430\u043d\u043a\u0442-\u041f\u0435\u0442\u0435\u0440\u0431\u0443\u0440\u0433", "Europe/Moscow", "spb", 3, 59.9343, 30.3351),
            new(22, "\u0415\u043a\u0430\u0442\u0435\u0440\u0438\u043d\u0431\u0443\u0440\u0433", "Asia/Yekaterinburg", "ekb", 5, 56.8389, 60.6057),
            new(32, "\u041d\u043e\u0432\u043e\u0441\u0438\u0431\u0438\u0440\u0441\u043a", "Asia/Novosibirsk", "nsk", 7, 55.0084, 82.9357),
            new(24, "\u0422\u043e\u043c\u0441\u043a", "Asia/Krasnoyarsk", "tomsk", 7, 56.4595, 84.9655),
            new(36, "\u041a\u0440\u0430\u0441\u043d\u043e\u044f\u0440\u0441\u043a", "Asia/Krasnoyarsk", "krsk", 7, 56.0153, 92.8932),
            new(39, "\u041a\u0430\u043b\u0438\u043d\u0438\u043d\u0433\u0440\u0430\u0434", "Europe/Kaliningrad", "kgd", 2, 54.7104, 20.4522),
            new(25, "\u0412\u043b\u0430\u0434\u0438\u0432\u043e\u0441\u0442\u043e\u043a", "Asia/Vladivostok", "vl", 10, 43.1155, 131.8855),
        ]);
    }

    private static readonly string[] Genres =
    [
        "\u041a\u043e\u043d\u0446\u0435\u0440\u0442", "\u0421\u043f\u0435\u043a\u0442\u0430\u043a\u043b\u044c",
        "\u0421\u0442\u0435\u043d\u0434\u0430\u043f", "\u0412\u044b\u0441\u0442\u0430\u0432\u043a\u0430",
        "\u0424\u0435\u0441\u0442\u0438\u0432\u0430\u043b\u044c", "\u0428\u043e\u0443",
    ];
    private static readonly string[] GenreSlugs = ["koncert", "spektakl", "stendap", "vystavka", "festival", "shou"];
    private static readonly int[] PriceGrid = [50000, 80000, 99000, 120000, 150000, 149050, 200000, 250000, 350000];

    private void BuildEvents(Random rng, int count, int orders)
    {
        var cityOffset = rng.Next(Cities.Count);
        var eventId = 31000;
        var showId = 200000;
        var priceId = 900000;
        var showsTotal = 0;
        var nowLocalDay = Time.ToUnix(Now) / 86400 * 86400;
        for (var e = 0; e <= count; e++)
        {
            var deletedExtra = e == count; // one extra deleted event without sales, as production lists deleted events
            eventId += 1 + rng.Next(40);
            var city = Cities[(e + cityOffset) % Cities.Count];
            var g = rng.Next(Genres.Length);
            var ev = new EventInfo
            {
                Id = eventId,
                City = city,
                Name = $"{Genres[g]} \u2116{e + 1} \u00ab{city.Name}\u00bb",
                Slug = $"{GenreSlugs[g]}-{e + 1}",
                CreatedAt = Now - 100 * 86400 + rng.Next(86400 * 20),
            };
            if (deletedExtra) ev.DeletedAt = Now - 5 * 86400 + rng.Next(3600);
            var nShows = deletedExtra ? 1 : 1 + rng.Next(3);
            for (var s = 0; s < nShows; s++)
            {
                showId += 1 + rng.Next(3);
                var dayOffset = deletedExtra ? -30 : -20 + rng.Next(96);
                var hourLocal = new[] { 12, 15, 19, 19, 20 }[rng.Next(5)];
                // local wall-clock hour in the city → instant (fixed offsets: no DST in Russia since 2014)
                var startUnix = nowLocalDay + dayOffset * 86400L + hourLocal * 3600L - city.UtcOffsetHours * 3600L;
                var prices = new PriceTier[3];
                for (var p = 0; p < 3; p++)
                    prices[p] = new PriceTier { Id = ++priceId, Kop = PriceGrid[rng.Next(PriceGrid.Length)] / (p + 1) / 100 * 100 + (rng.Next(10) == 0 ? 50 : 0), ColorTheme = (p + 1).ToString() };
                var show = new ShowInfo
                {
                    Id = showId, Event = ev,
                    Start = Time.FromUnix(startUnix), Finish = Time.FromUnix(startUnix + 7200),
                    SaleStart = ev.CreatedAt, CreatedAt = ev.CreatedAt + 60,
                    Seats = null!, Prices = prices, Taken = null!,
                };
                ev.Shows.Add(show);
                ShowById[show.Id] = show;
                if (!deletedExtra) AllShows.Add(show);
                showsTotal++;
            }
            Events.Add(ev);
            EventById[ev.Id] = ev;
        }
        var admissionCap = (int)Math.Ceiling(orders * 4.0 / Math.Max(1, showsTotal)) + 100;
        foreach (var show in ShowById.Values) BuildSeats(show, admissionCap);
    }

    private static void BuildSeats(ShowInfo show, int admissionCap)
    {
        var seats = new List<Seat>(AdmissionIdx + 1);
        for (var r = 1; r <= ParterreRows; r++)
            for (var p = 1; p <= ParterrePlaces; p++)
                seats.Add(new Seat { Id = $"PARTERRE-{r};{p}", Zone = "PARTERRE", Row = r.ToString(), Place = p.ToString(), Name = $"\u041f\u0430\u0440\u0442\u0435\u0440: \u0440\u044f\u0434 {r}, \u043c\u0435\u0441\u0442\u043e {p}", Admission = false, Max = 1, PriceIdx = 0, X = p * 30, Y = r * 30 });
        for (var r = 1; r <= BalconyRows; r++)
            for (var p = 1; p <= BalconyPlaces; p++)
                seats.Add(new Seat { Id = $"BALCONY-{r};{p}", Zone = "BALCONY", Row = r.ToString(), Place = p.ToString(), Name = $"\u0411\u0430\u043b\u043a\u043e\u043d: \u0440\u044f\u0434 {r}, \u043c\u0435\u0441\u0442\u043e {p}", Admission = false, Max = 1, PriceIdx = 1, X = p * 40, Y = 400 + r * 30 });
        seats.Add(new Seat { Id = "DANCEFLOOR-1;1", Zone = "DANCEFLOOR", Row = "1", Place = "1", Name = "\u0422\u0430\u043d\u0446\u043f\u043e\u043b", Admission = true, Max = admissionCap, PriceIdx = 2, X = 300, Y = 700 });
        show.Seats = [.. seats];
        show.Taken = new int[seats.Count];
        show.SeatedCount = AdmissionIdx;
    }

    private void BuildDiscounts(Random rng)
    {
        int[] percents = [10, 15, 20, 30, 100];
        string[] names = ["\u0421\u041a\u0418\u0414\u041a\u0410 - 10%", "\u0421\u041a\u0418\u0414\u041a\u0410 - 15%", "\u0421\u041a\u0418\u0414\u041a\u0410 - 20%", "\u0421\u041a\u0418\u0414\u041a\u0410 - 30%", "\u041f\u0440\u0438\u0433\u043b\u0430\u0441\u0438\u0442\u0435\u043b\u044c\u043d\u044b\u0435"];
        var id = 56000;
        long promo = 1_300_000;
        for (var i = 0; i < percents.Length; i++)
        {
            id += 1 + rng.Next(30);
            var promoIds = new long[percents[i] == 100 ? 0 : 4];
            for (var k = 0; k < promoIds.Length; k++) promoIds[k] = promo += 1 + rng.Next(5);
            var evIds = Events.Where((_, ix) => (ix + i) % 3 != 0 && Events[ix].DeletedAt == 0).Select(e => e.Id).ToArray();
            Discounts.Add(new DiscountInfo { Id = id, Name = names[i], Percent = percents[i], PromoIds = promoIds, CreatedAt = Now - 95 * 86400 + i * 3600, EventIds = evIds });
        }
        var dnodes = new List<IDoc>();
        var pnodes = new List<IDoc>();
        foreach (var d in Discounts)
        {
            var evs = new JArray();
            var shows = new JArray();
            foreach (var eid in d.EventIds)
            {
                var ev = EventById[eid];
                evs.Items.Add(new JObject().Add("id", (long)ev.Id).Add("is_active", 1L).Add("name", ev.Name).Add("deleted_at", (string?)null));
                foreach (var s in ev.Shows) shows.Items.Add(ShowBrief(s));
            }
            dnodes.Add(new NodeDoc(new JObject()
                .Add("id", (long)d.Id).Add("is_active", 1L).Add("name", d.Name)
                .Add("active_from", (string?)null).Add("active_to", (string?)null).Add("type", "P")
                .Add("events", evs).Add("shows", shows)
                .Add("created_at", Time.Render(d.CreatedAt)).Add("updated_at", Time.Render(d.CreatedAt + 600)).Add("deleted_at", (string?)null)));
            foreach (var p in d.PromoIds)
                pnodes.Add(new NodeDoc(new JObject()
                    .Add("id", p).Add("is_active", 1L).Add("type", 0L).Add("discount_id", (long)d.Id)
                    .Add("code", "PROMO" + Hashing.Token(Seed, p, 6).ToUpperInvariant()).Add("max_uses_count", 0L)
                    .Add("active_from", (string?)null).Add("active_to", (string?)null)
                    .Add("created_at", Time.Render(d.CreatedAt + 300)).Add("updated_at", Time.Render(d.CreatedAt + 300)).Add("deleted_at", (string?)null)));
        }
        // one deleted promo code, as the captured list contains deleted ones
        promo += 3;
        pnodes.Add(new NodeDoc(new JObject()
            .Add("id", promo).Add("is_active", 1L).Add("type", 0L).Add("discount_id", (long)Discounts[0].Id)
            .Add("code", "OLDPROMO1").Add("max_uses_count", 1L).Add("active_from", (string?)null).Add("active_to", (string?)null)
            .Add("created_at", Time.Render(Now - 50 * 86400)).Add("updated_at", Time.Render(Now - 49 * 86400)).Add("deleted_at", Time.Render(Now - 49 * 86400))));
        DiscountsSet = new NodeSet("Discount", 100, dnodes);
        PromoCodesSet = new NodeSet("PromoCode", 500, pnodes);
    }

    private static JObject ShowBrief(ShowInfo s) => new JObject()
        .Add("id", (long)s.Id).Add("is_active", 1L).Add("event_id", (long)s.Event.Id)
        .Add("sale_start_date", (string?)null).Add("sale_finish_date", Time.Render(s.Start))
        .Add("open_date", Time.Render(s.Start - 3600)).Add("start_date", Time.Render(s.Start)).Add("finish_date", Time.Render(s.Finish))
        .Add("created_at", Time.Render(s.CreatedAt)).Add("updated_at", Time.Render(s.CreatedAt)).Add("deleted_at", (string?)null);

    private void RebuildEventNodes()
    {
        var docs = new List<IDoc>();
        foreach (var ev in Events)
        {
            var shows = new JArray();
            foreach (var s in ev.Shows) shows.Items.Add(ShowNode(s));
            var c = ev.City;
            ev.Node = new JObject()
                .Add("id", (long)ev.Id).Add("is_active", ev.DeletedAt == 0 ? 1L : 0L).Add("name", ev.Name)
                .Add("scheme_id", 12000L + ev.Id % 100).Add("currency_id", "RUB")
                .Add("place_name", $"\u0417\u0430\u043b {c.Slug.ToUpperInvariant()}").Add("place_address", $"\u0443\u043b. \u0422\u0435\u0441\u0442\u043e\u0432\u0430\u044f, {ev.Id % 90 + 1}")
                .Add("place_description", "").Add("city_id", (long)c.Id)
                .Add("description", $"{ev.Name}\r\n\u041e\u043f\u0438\u0441\u0430\u043d\u0438\u0435 \u0441\u043e\u0431\u044b\u0442\u0438\u044f.")
                .Add("site_url", "https://tickets.example.test/").Add("external_id", (string?)null)
                .Add("ticket_id", 35L).Add("mail_template_id", 31L).Add("age", new[] { "0+", "6+", "12+", "16+", "18+" }[ev.Id % 5])
                .Add("shows", shows)
                .Add("payments", new JArray([new JObject().Add("id", 41000L + ev.Id % 7).Add("is_active", true).Add("name", "\u041e\u041e\u041e Org1").Add("handler", "payanyway").Add("agree_url", $"https://qtickets.ru/legal/sandbox/1?event={ev.Id}")]))
                .Add("poster", new JObject().Add("id", 80000L + ev.Id % 1000).Add("content_type", "image/jpeg").Add("file_size", 91449L).Add("url", $"https://qtickets.ru/storage/app/uploads/public/sandbox/{ev.Id}.jpg"))
                .Add("event_type_id", 3L + ev.Id % 9)
                .Add("city", new JObject().Add("id", (long)c.Id).Add("name", c.Name).Add("timezone", c.Timezone))
                .Add("ticket", new JObject().Add("id", 35L).Add("is_active", 1L).Add("name", "\u0421\u0438\u0441\u0442\u0435\u043c\u043d\u044b\u0439 \u0448\u0430\u0431\u043b\u043e\u043d"))
                .Add("mail_template", new JObject().Add("id", 31L).Add("is_active", 1L).Add("name", "\u0421\u0438\u0441\u0442\u0435\u043c\u043d\u044b\u0439 \u0448\u0430\u0431\u043b\u043e\u043d"))
                .Add("slug", ev.Slug)
                .Add("place_coordinates", new JArray([new JNumber(c.Lat.ToString(System.Globalization.CultureInfo.InvariantCulture)), new JNumber(c.Lon.ToString(System.Globalization.CultureInfo.InvariantCulture))]))
                .Add("url", $"https://{c.Slug}.qtickets.events/{ev.Id}-{ev.Slug}")
                .Add("created_at", Time.Render(ev.CreatedAt)).Add("updated_at", Time.Render(ev.DeletedAt != 0 ? ev.DeletedAt : ev.CreatedAt + 3600))
                .Add("deleted_at", Time.RenderOrNull(ev.DeletedAt));
            docs.Add(new NodeDoc(ev.Node));
        }
        EventsSet = new NodeSet("Event", 10, docs);
    }

    private static JObject PriceNode(PriceTier p) =>
        new JObject().Add("id", (long)p.Id).Add("default_price", p.Kop / 100m).Add("color_theme", p.ColorTheme).Add("modifiers", new JArray());

    private static JObject ShowNode(ShowInfo s)
    {
        var adminZones = new JObject();
        var zones = new JObject();
        foreach (var (zone, pidx) in new[] { ("PARTERRE", 0), ("BALCONY", 1), ("DANCEFLOOR", 2) })
        {
            adminZones.Add(zone, new JObject().Add("opened", "0").Add("was_opened", "1"));
            zones.Add(zone, new JObject().Add("disabled", "0").Add("spread", new JObject().Add("enabled", "")).Add("price_id", s.Prices[pidx].Id.ToString()));
        }
        var seats = new JObject();
        foreach (var seat in s.Seats)
            seats.Add(seat.Id, new JObject().Add("max_quantity", seat.Admission ? seat.Max.ToString() : "").Add("hot", "").Add("show_free_quantity", ""));
        var min = s.Prices.MinBy(p => p.Kop)!;
        var max = s.Prices.MaxBy(p => p.Kop)!;
        return new JObject()
            .Add("id", (long)s.Id).Add("name", "").Add("is_active", 1L)
            .Add("sale_start_date", (string?)null).Add("sale_finish_date", Time.Render(s.Start))
            .Add("open_date", Time.Render(s.Start - 3600)).Add("start_date", Time.Render(s.Start)).Add("finish_date", Time.Render(s.Finish))
            .Add("scheme_properties", new JObject().Add("admin", new JObject().Add("zones", adminZones)).Add("zones", zones).Add("seats", seats))
            .Add("prices", new JArray(s.Prices.Select(p => (JNode)PriceNode(p))))
            .Add("min_price", PriceNode(min)).Add("max_price", PriceNode(max))
            .Add("created_at", Time.Render(s.CreatedAt)).Add("updated_at", Time.Render(s.CreatedAt)).Add("deleted_at", (string?)null);
    }

    // ---------------------------------------------------------------- clients

    public long ClientId(int i) => 1000 + 13L * i + (long)(Hashing.Mix(Seed, i, 3) % 5);
    public string ClientEmail(int i) => $"buyer{i + 1}@example.test";
    public string ClientPhone(int i) => $"+7{i + 1:D10}";

    public JObject ClientNode(int i) => new JObject()
        .Add("id", ClientId(i)).Add("email", ClientEmail(i))
        .Add("details", new JObject().Add("id", 700000 + 11L * i).Add("name", $"Name{i + 1}").Add("middlename", (string?)null)
            .Add("surname", $"Surname{i + 1}").Add("phone", ClientPhone(i)).Add("vk_id", "").Add("facebook_id", ""));

    // ---------------------------------------------------------------- life cycle

    private void GenerateHistory(Random rng, int count, int historyDays)
    {
        var start = Now - historyDays * 86400;
        var times = new int[count];
        for (var i = 0; i < count; i++) times[i] = start + rng.Next(Now - start);
        Array.Sort(times);
        foreach (var t in times)
        {
            ProcessQueue(t, stamp: null);
            CreateOrder(rng, t);
        }
        ProcessQueue(Now, stamp: null);
    }

    /// <summary>Result of a clock advance.</summary>
    public sealed record AdvanceResult(string From, string To, int Created, int Paid, int Expired, int Cancelled, int Refunded, int CancelledPaid, int Changed);

    private int _cPaid, _cExpired, _cCancelled, _cRefunded, _cCancelledPaid;
    private HashSet<Order>? _changed;

    /// <summary>
    /// Moves the virtual clock forward. New orders get created_at/payed_at inside (old now, new now];
    /// due payments, expiries, cancellations and refunds happen; every order changed in this step gets
    /// updated_at = new now (its baskets too). Deterministic for (seed, sequence of advances).
    /// </summary>
    public AdvanceResult Advance(int seconds)
    {
        if (seconds <= 0) throw new ArgumentOutOfRangeException(nameof(seconds));
        var t0 = Now;
        var t1 = checked(Now + seconds);
        Version++; // before any change: cached query answers are stale from here on, even if this throws half-way
        AdvanceCount++;
        var rng = new Random(unchecked((int)Hashing.Mix(Seed, AdvanceCount, 9)));
        _cPaid = _cExpired = _cCancelled = _cRefunded = _cCancelledPaid = 0;
        _changed = [];
        LastEvents.Clear();
        var before = Orders.Count;

        var expected = RatePerHour * seconds / 3600.0;
        var n = (int)Math.Floor(expected * (0.85 + 0.3 * rng.NextDouble()) + rng.NextDouble());
        var times = new int[n];
        for (var i = 0; i < n; i++) times[i] = t0 + 1 + rng.Next(seconds);
        Array.Sort(times);
        foreach (var t in times)
        {
            ProcessQueue(t, stamp: t1);
            var created = CreateOrder(rng, t, stamp: t1);
            _changed.Add(created);
            LastEvents.Add((created, "created"));
        }
        ProcessQueue(t1, stamp: t1);

        // Refunds / cancellations of earlier paid orders (besides the ones scheduled at creation).
        var extra = (int)Math.Floor(expected * 0.05 + rng.NextDouble());
        for (var i = 0; i < extra && before > 0; i++)
        {
            var o = Orders[rng.Next(before)];
            var at = t0 + 1 + rng.Next(seconds);
            var roll = rng.Next(100);
            Apply(o, roll < 50 ? Act.RefundPartial : roll < 80 ? Act.RefundFull : Act.CancelPaid, at, t1);
        }

        Now = t1;
        var res = new AdvanceResult(Time.Render(t0), Time.Render(t1), Orders.Count - before, _cPaid, _cExpired, _cCancelled, _cRefunded, _cCancelledPaid, _changed.Count);
        _changed = null;
        return res;
    }

    private void ProcessQueue(int until, int? stamp)
    {
        while (_queue.TryPeek(out var p, out var pri) && pri.Time <= until)
        {
            _queue.Dequeue();
            Apply(p.Order, p.Act, pri.Time, stamp ?? pri.Time);
        }
    }

    private void Schedule(Order o, Act act, int at) => _queue.Enqueue(new Pending(o, act), (at, _queueSeq++));

    private Order CreateOrder(Random rng, int t, int? stamp = null)
    {
        // show on sale at t (sale runs until the show starts)
        ShowInfo? show = null;
        for (var k = 0; k < 12 && show is null; k++)
        {
            var s = AllShows[rng.Next(AllShows.Count)];
            if (s.Start > t && s.SaleStart <= t) show = s;
        }
        show ??= AllShows.MaxBy(s => s.Start)!;

        var client = rng.Next(ClientCount);
        var roll = rng.Next(100);
        var nb = roll < 50 ? 1 : roll < 80 ? 2 : roll < 92 ? 3 : roll < 98 ? 4 : 6;
        var droll = rng.Next(100);
        short disc = droll < 3 ? (short)4 /* invitation, 100% */ : droll < 15 ? (short)rng.Next(4) : (short)-1;
        var percent = disc < 0 ? 0 : Discounts[disc].Percent;
        _nextOrderId += 1 + rng.Next(4);
        var order = new Order
        {
            W = this, OrderId = _nextOrderId, ClientIdx = client, EventId = show.Event.Id, CreatedAt = t,
            UpdatedAt = stamp ?? t, ReservedTo = t + 86400, DiscountIdx = disc,
            UtmIdx = rng.Next(100) < 45 ? (byte)(1 + rng.Next(UtmPresets.Length - 1)) : (byte)0,
            SiteIdx = (byte)(rng.Next(4) == 0 ? 1 : 0),
            Baskets = new Basket[nb],
        };
        var zonePref = rng.Next(100);
        for (var i = 0; i < nb; i++)
        {
            var seatIdx = AllocateSeat(rng, show, zonePref < 40 ? 0 : zonePref < 60 ? 1 : 2);
            var orig = show.Prices[show.Seats[seatIdx].PriceIdx].Kop;
            var price = orig - orig * percent / 100;
            _nextBasketId += 1 + rng.Next(2);
            order.Baskets[i] = new Basket
            {
                Id = _nextBasketId, ShowId = show.Id, SeatIdx = seatIdx, OrigKop = orig, PriceKop = price,
                Holder = rng.Next(5) == 0 ? rng.Next(ClientCount) : client,
                CreatedAt = t - 20 - rng.Next(180), UpdatedAt = stamp ?? t,
            };
            show.Refs.Add((order, i));
        }
        Orders.Add(order);

        // fate, decided now, executed by the clock
        var f = rng.Next(1000);
        if (disc == 4 || f < 780)
        {
            var payAt = rng.Next(10) == 0 ? t + 3600 + rng.Next(20 * 3600) : t + 30 + rng.Next(870);
            if (disc == 4) payAt = t + 5 + rng.Next(60);
            Schedule(order, Act.Pay, payAt);
            if (disc != 4)
            {
                var post = rng.Next(1000);
                var postAt = payAt + 3600 + rng.Next(10 * 86400);
                if (post < 40) Schedule(order, Act.RefundPartial, postAt);
                else if (post < 60) Schedule(order, Act.RefundFull, postAt);
                else if (post < 75) Schedule(order, Act.CancelPaid, postAt);
            }
        }
        else if (f < 850) Schedule(order, Act.Cancel, t + 60 + rng.Next(3600));
        else Schedule(order, Act.Expire, order.ReservedTo + 900 + rng.Next(60));
        return order;
    }

    private static int AllocateSeat(Random rng, ShowInfo show, int zone)
    {
        if (zone < 2)
        {
            var (from, len) = zone == 0 ? (0, BalconyStart) : (BalconyStart, AdmissionIdx - BalconyStart);
            var startAt = rng.Next(len);
            for (var k = 0; k < len; k++)
            {
                var idx = from + (startAt + k) % len;
                if (show.Taken[idx] < show.Seats[idx].Max) { show.Taken[idx]++; return idx; }
            }
        }
        show.Taken[AdmissionIdx]++;
        return AdmissionIdx;
    }

    private void Release(Order o, int i)
    {
        var b = o.Baskets[i];
        ShowById[b.ShowId].Taken[b.SeatIdx]--;
    }

    private void Apply(Order o, Act act, int at, int stamp)
    {
        switch (act)
        {
            case Act.Pay:
                if (o.Payed || o.Deleted) return;
                o.Payed = true;
                o.PayedAt = at;
                for (var i = 0; i < o.Baskets.Length; i++) o.Baskets[i].UpdatedAt = stamp;
                _cPaid++;
                break;
            case Act.Expire:
            case Act.Cancel:
            case Act.CancelPaid:
                if (o.Deleted || (act == Act.CancelPaid) != o.Payed) return;
                o.DeletedAt = at;
                for (var i = 0; i < o.Baskets.Length; i++)
                {
                    ref var b = ref o.Baskets[i];
                    if (b.Deleted) continue;
                    if (b.Live) Release(o, i);
                    b.DeletedAt = at;
                    b.UpdatedAt = stamp;
                }
                if (act == Act.Expire) _cExpired++; else if (act == Act.Cancel) _cCancelled++; else _cCancelledPaid++;
                break;
            case Act.RefundPartial:
            case Act.RefundFull:
            {
                if (!o.Payed || o.Deleted || o.Refunds is { Count: > 0 } || o.PriceKop == 0) return;
                var ids = new List<long>();
                var amount = 0;
                var rid = ++_nextRefundId;
                var pick = (int)(Hashing.Mix(Seed, o.OrderId, 5) % (ulong)o.Baskets.Length);
                for (var i = 0; i < o.Baskets.Length; i++)
                {
                    ref var b = ref o.Baskets[i];
                    if (b.Deleted || b.PriceKop == 0) continue;
                    int refund;
                    if (act == Act.RefundFull) refund = b.PriceKop;
                    else if (o.Baskets.Length > 1) { if (i != pick) continue; refund = b.PriceKop; }
                    else refund = b.PriceKop / 200 * 100; // half, whole roubles
                    if (refund <= 0) continue;
                    var wasLive = b.Live;
                    b.RefundedAt = at;
                    b.RefundedKop = refund;
                    b.RefundId = rid;
                    b.UpdatedAt = stamp;
                    if (wasLive && !b.Live) Release(o, i);
                    ids.Add(b.Id);
                    amount += refund;
                }
                if (ids.Count == 0) return;
                (o.Refunds ??= []).Add(new RefundEntry(rid, at, amount, [.. ids]));
                _cRefunded++;
                break;
            }
        }
        o.UpdatedAt = stamp;
        if (_changed is not null)
        {
            _changed.Add(o);
            LastEvents.Add((o, act switch { Act.Pay => "payed", Act.RefundPartial or Act.RefundFull => "refunded", _ => "deleted" }));
        }
    }

    // ---------------------------------------------------------------- truth & seats

    public const string TruthDefinition =
        "Rows per (Moscow calendar day of payed_at, event_id). Only orders with payed=true and deleted_at=null count. " +
        "A basket is a live ticket when deleted_at is null and it is not fully refunded (refunded_at null, or refunded_amount < price). " +
        "tickets = number of live tickets; revenue = sum over the order's baskets with deleted_at null of (price - refunded_amount), " +
        "refunded_amount taken as 0 when refunded_at is null (so a partial refund lowers revenue but keeps the ticket, a full refund " +
        "removes both); paid_orders = orders having at least one live ticket. Refunds and cancellations are attributed to the day " +
        "of the original payment (the row of payed_at changes), not to the day of the refund. Invitations (price 0) count as tickets with 0 revenue.";

    public sealed record TruthRow(string Date, int EventId, int PaidOrders, int Tickets, decimal Revenue);

    public List<TruthRow> Truth()
    {
        var acc = new SortedDictionary<(string, int), (int o, int t, long kop)>();
        foreach (var o in Orders)
        {
            if (!o.Payed || o.Deleted) continue;
            int tickets = 0; long kop = 0;
            foreach (var b in o.Baskets)
            {
                if (b.Deleted) continue;
                kop += b.PriceKop - (b.RefundedAt != 0 ? b.RefundedKop : 0);
                if (b.Live) tickets++;
            }
            if (tickets == 0) continue;
            var key = (Time.MoscowDay(o.PayedAt), o.EventId);
            acc.TryGetValue(key, out var cur);
            acc[key] = (cur.o + 1, cur.t + tickets, cur.kop + kop);
        }
        return acc.Select(kv => new TruthRow(kv.Key.Item1, kv.Key.Item2, kv.Value.o, kv.Value.t, kv.Value.kop / 100m)).ToList();
    }

    /// <summary>
    /// Seat state of a show. ordered_quantity = live tickets on the seat (paid + unpaid reservations),
    /// payed_quantity = the paid ones, free_quantity = max_quantity - ordered_quantity (never below 0).
    /// </summary>
    public List<JObject> SeatNodes(ShowInfo show)
    {
        var ordered = new int[show.Seats.Length];
        var payed = new int[show.Seats.Length];
        foreach (var (o, bi) in show.Refs)
        {
            var b = o.Baskets[bi];
            if (o.Deleted || !b.Live) continue;
            ordered[b.SeatIdx]++;
            if (o.Payed) payed[b.SeatIdx]++;
        }
        var list = new List<JObject>(show.Seats.Length);
        for (var i = 0; i < show.Seats.Length; i++)
        {
            var s = show.Seats[i];
            var free = Math.Max(0, s.Max - ordered[i]);
            var price = show.Prices[s.PriceIdx];
            list.Add(new JObject()
                .Add("id", s.Id).Add("root_id", s.Id).Add("name", s.Name)
                .Add("zone_id", s.Zone).Add("zone_root_id", s.Zone).Add("short_seat_id", $"{s.Row};{s.Place}")
                .Add("admission", s.Admission).Add("row", s.Row).Add("place", s.Place)
                .Add("max_quantity", (long)s.Max).Add("free_quantity", (long)free).Add("ordered_quantity", (long)ordered[i])
                .Add("available", free > 0).Add("disabled", false).Add("ordered", ordered[i] > 0)
                .Add("payed_quantity", (long)payed[i]).Add("in_basket_quantity", 0L)
                .Add("price", price.Kop / 100m).Add("currency_id", "RUB").Add("related_seats", new JArray())
                .Add("multiprice_name", (string?)null).Add("multiprice_code", (string?)null)
                .Add("color_theme_id", long.Parse(price.ColorTheme))
                .Add("coords", new JArray([new JNumber(s.X), new JNumber(s.Y)])));
        }
        return list;
    }

    // ---------------------------------------------------------------- sets

    private sealed class OrderSet(World w) : IResourceSet
    {
        public string Resource => "Order";
        public int DefaultPerPage => 50;
        public int Count => w.Orders.Count;
        public IDoc GetAt(int index) => w.Orders[index];
        public int Version => w.Version;
        public bool SortedById => true; // orders are appended with growing ids (FindById relies on it too)
        public IDoc? FindById(long id)
        {
            var list = w.Orders;
            int lo = 0, hi = list.Count - 1;
            while (lo <= hi)
            {
                var mid = (lo + hi) >>> 1;
                var c = list[mid].OrderId.CompareTo(id);
                if (c == 0) return list[mid];
                if (c < 0) lo = mid + 1; else hi = mid - 1;
            }
            return null;
        }
    }

    private sealed class ClientDoc(World w, int i) : IDoc
    {
        public long Id => w.ClientId(i);
        public JNode ToNode() => w.ClientNode(i);
        public bool TryGetFast(string column, out Val value)
        {
            switch (column)
            {
                case "id": value = Val.N(Id); return true;
                case "email": value = Val.S(w.ClientEmail(i)); return true;
                default: value = default; return false;
            }
        }
    }

    private sealed class ClientSet(World w) : IResourceSet
    {
        public string Resource => "Client";
        public int DefaultPerPage => 100;
        public int Count => w.ClientCount;
        public IDoc GetAt(int index) => new ClientDoc(w, index);
        public int Version => w.Version;
        public bool SortedById => true; // ClientId(i) = 1000 + 13 i + (0..4): strictly ascending
        public IDoc? FindById(long id)
        {
            // ClientId(i) = 1000 + 13 i + (0..4): invert
            var i = (id - 1000) / 13;
            if (i < 0 || i >= w.ClientCount) return null;
            return w.ClientId((int)i) == id ? new ClientDoc(w, (int)i) : null;
        }
    }
}
