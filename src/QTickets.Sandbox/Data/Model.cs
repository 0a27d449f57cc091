using System.Text;
using QTickets.Sandbox.Json;

namespace QTickets.Sandbox.Data;

internal sealed record City(int Id, string Name, string Timezone, string Slug, int UtcOffsetHours, double Lat, double Lon);

internal sealed class Seat
{
    public required string Id;
    public required string Zone;
    public required string Row;
    public required string Place;
    public required string Name;
    public required bool Admission;
    public required int Max;
    public required int PriceIdx;
    public int X, Y;
}

internal sealed class PriceTier
{
    public required int Id;
    public required int Kop;          // price in kopecks
    public required string ColorTheme;
}

internal sealed class ShowInfo
{
    public required int Id;
    public required EventInfo Event;
    public required int Start, Finish, SaleStart, CreatedAt;
    public required Seat[] Seats;
    public required PriceTier[] Prices;
    /// <summary>Live tickets holding each seat (reservations and paid); used to hand out seats.</summary>
    public required int[] Taken;
    /// <summary>Every basket ever sold for this show (the seat map is computed from these).</summary>
    public List<(Order Order, int Basket)> Refs { get; } = [];
    public int SeatedCount;
}

internal sealed class EventInfo
{
    public required int Id;
    public required City City;
    public required string Name;
    public required string Slug;
    public required int CreatedAt;
    public int DeletedAt;
    public List<ShowInfo> Shows { get; } = [];
    public JObject? Node;
}

internal struct Basket
{
    public long Id;
    public int ShowId;
    public int SeatIdx;
    public int OrigKop;
    public int PriceKop;
    public int Holder;          // client index of the ticket holder
    public int CreatedAt, UpdatedAt, DeletedAt, RefundedAt;
    public int RefundedKop;
    public int RefundId;

    public readonly bool Deleted => DeletedAt != 0;
    public readonly bool FullyRefunded => RefundedAt != 0 && RefundedKop >= PriceKop;
    public readonly bool Live => !Deleted && !FullyRefunded;
}

internal sealed record RefundEntry(int Id, int At, int AmountKop, long[] BasketIds);

internal sealed class Order : IDoc
{
    public required World W;
    public required long OrderId;
    public required int ClientIdx;
    public required int EventId;
    public required int CreatedAt;
    public int UpdatedAt, PayedAt, DeletedAt, ReservedTo;
    public bool Payed;
    public short DiscountIdx = -1;   // index into World.Discounts
    public byte UtmIdx;              // 0 = none
    public byte SiteIdx;
    public required Basket[] Baskets;
    public List<RefundEntry>? Refunds;

    public long Id => OrderId;
    public bool Deleted => DeletedAt != 0;
    public int PriceKop { get { var s = 0; foreach (var b in Baskets) s += b.PriceKop; return s; } }
    public int OrigKop { get { var s = 0; foreach (var b in Baskets) s += b.OrigKop; return s; } }

    public bool TryGetFast(string column, out Val v)
    {
        switch (column)
        {
            case "id": v = Val.N(OrderId); return true;
            case "payed": v = Val.B(Payed); return true;
            case "payed_at": v = Val.T(PayedAt); return true;
            case "created_at": v = Val.T(CreatedAt); return true;
            case "updated_at": v = Val.T(UpdatedAt); return true;
            case "deleted_at": v = Val.T(DeletedAt); return true;
            case "reserved_to": v = Val.T(ReservedTo); return true;
            case "event_id": v = Val.N(EventId); return true;
            case "client_id": v = Val.N(W.ClientId(ClientIdx)); return true;
            case "price": v = Val.N(PriceKop / 100m); return true;
            case "original_price": v = Val.N(OrigKop / 100m); return true;
            case "currency_id": v = Val.S("RUB"); return true;
            case "reserved": v = Val.B(false); return true;
            case "discount_id": v = DiscountIdx < 0 ? Val.Null : Val.N(W.Discounts[DiscountIdx].Id); return true;
            case "uniqid": v = Val.S(Uniqid); return true;
            case "site_id": v = Val.N(World.Sites[SiteIdx].Id); return true;
            default: v = default; return false;
        }
    }

    public string Uniqid => Hashing.Token(W.Seed, OrderId, 10);

    public JNode ToNode()
    {
        var w = W;
        var site = World.Sites[SiteIdx];
        var uniq = Uniqid;
        var disc = DiscountIdx < 0 ? null : w.Discounts[DiscountIdx];
        var o = new JObject()
            .Add("id", OrderId)
            .Add("uniqid", uniq)
            .Add("payed", Payed)
            .Add("payed_at", Time.RenderOrNull(PayedAt))
            .Add("client_id", w.ClientId(ClientIdx))
            .Add("client", w.ClientNode(ClientIdx))
            .Add("site_id", site.Id)
            .Add("site", new JObject().Add("id", site.Id).Add("host", site.Host))
            .Add("payment_id", 12000 + (EventId % 7))
            .Add("payment_type_id", "card")
            .Add("payment_card_number", Payed && disc?.Percent != 100 ? $"400000******{Hashing.Mix(w.Seed, OrderId, 7) % 10000:D4}" : null)
            .Add("payment_url", "https://qtickets.ru/pay/" + uniq)
            .Add("cancel_url", $"https://qtickets.ru/cancel-order/{uniq}/{Hashing.Hex(w.Seed, OrderId, 32)}")
            .Add("basket_user_id", 5000000 + OrderId % 1000000 * 3)
            .Add("backend_user_id", disc?.Percent == 100 ? 3100L : null)
            .Add("access_code_id", (long?)null)
            .Add("discount_id", disc?.Id)
            .Add("promo_code_id", disc is null || disc.Percent == 100 ? null : disc.PromoIds[(int)(OrderId % disc.PromoIds.Length)])
            .Add("reserved", false)
            .Add("reserved_to", Time.Render(ReservedTo))
            .Add("reserve_extended", false)
            .Add("event_id", (long)EventId)
            .Add("price", PriceKop / 100m)
            .Add("original_price", OrigKop / 100m)
            .Add("currency_id", "RUB")
            .Add("utm", UtmIdx == 0 ? new JArray() : World.UtmNode(UtmIdx))
            .Add("custom", "")
            .Add("fields", new JArray());
        var baskets = new JArray();
        var ev = w.EventById[EventId];
        for (var i = 0; i < Baskets.Length; i++) baskets.Items.Add(BasketNode(ref Baskets[i], ev, uniq));
        o.Add("baskets", baskets);
        var refunds = new JArray();
        if (Refunds is not null)
            foreach (var r in Refunds)
                refunds.Items.Add(new JObject()
                    .Add("id", r.Id)
                    .Add("amount", r.AmountKop / 100m)
                    .Add("deduction_amount", 0L)
                    .Add("baskets", new JArray(r.BasketIds.Select(x => (JNode)new JNumber(x))))
                    .Add("created_at", Time.Render(r.At)));
        o.Add("refunds", refunds)
            .Add("integrations", new JArray())
            .Add("created_at", Time.Render(CreatedAt))
            .Add("updated_at", Time.Render(UpdatedAt))
            .Add("deleted_at", Time.RenderOrNull(DeletedAt));
        return o;
    }

    private JObject BasketNode(ref Basket b, EventInfo ev, string uniq)
    {
        var w = W;
        var show = w.ShowById[b.ShowId];
        var seat = show.Seats[b.SeatIdx];
        var issued = Payed && !b.Deleted;
        var pdfHash = Hashing.Hex(w.Seed, b.Id, 32);
        var bo = new JObject()
            .Add("id", b.Id)
            .Add("series", "88" + (2000000 + ev.Id))
            .Add("barcode", issued ? (Hashing.Mix(w.Seed, b.Id, 11) % 1_000_000_000_000UL).ToString("D12") : null)
            .Add("show_id", (long)b.ShowId)
            .Add("seat_id", seat.Id)
            .Add("seat_name", seat.Name)
            .Add("original_price", b.OrigKop / 100m)
            .Add("ticket_original_price", b.OrigKop / 100m)
            .Add("discount_value", (b.OrigKop - b.PriceKop) / 100m)
            .Add("price", b.PriceKop / 100m)
            .Add("ticket_amount", b.Deleted ? 0m : b.PriceKop / 100m)
            .Add("service_fee_amount", 0L)
            .Add("multiprice_code", (string?)null)
            .Add("quantity", 1L)
            .Add("client_email", w.ClientEmail(b.Holder))
            .Add("client_phone", w.ClientPhone(b.Holder))
            .Add("client_name", $"Name{b.Holder + 1}")
            .Add("client_surname", $"Surname{b.Holder + 1}")
            .Add("client_middlename", (string?)null)
            .Add("organization_name", (string?)null)
            .Add("legal_name", (string?)null)
            .Add("work_position", (string?)null)
            .Add("inn", (string?)null)
            .Add("kpp", (string?)null)
            .Add("comment", (string?)null)
            .Add("pdf_url", issued ? $"https://qtickets.ru/ticket/pdf/{uniq}/{pdfHash}" : null)
            .Add("passbook_url", issued ? $"https://qtickets.ru/ticket/passbook/{uniq}/{pdfHash}" : null)
            .Add("related_baskets", new JArray())
            .Add("services", new JArray())
            .Add("checked_at", (string?)null)
            .Add("created_at", Time.Render(b.CreatedAt))
            .Add("updated_at", Time.Render(b.UpdatedAt))
            .Add("deleted_at", Time.RenderOrNull(b.DeletedAt))
            .Add("refunded_at", Time.RenderOrNull(b.RefundedAt));
        // Production: null on untouched baskets, 0 on cancelled-but-not-refunded ones.
        if (b.RefundedAt != 0)
            bo.Add("refunded_amount", b.RefundedKop / 100m).Add("refunded_deduction_amount", 0L);
        else if (b.Deleted)
            bo.Add("refunded_amount", 0L).Add("refunded_deduction_amount", 0L);
        else
            bo.Add("refunded_amount", (long?)null).Add("refunded_deduction_amount", (long?)null);
        var brefunds = new JArray();
        if (b.RefundedAt != 0)
            brefunds.Items.Add(new JObject().Add("id", b.RefundId).Add("amount", b.RefundedKop / 100m).Add("created_at", Time.Render(b.RefundedAt)));
        bo.Add("refunds", brefunds);
        return bo;
    }
}

internal sealed record Site(int Id, string Host);

internal sealed class DiscountInfo
{
    public required int Id;
    public required string Name;
    public required int Percent;
    public required long[] PromoIds;
    public required int CreatedAt;
    public required int[] EventIds;
}

internal static class Hashing
{
    public static ulong SplitMix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    public static ulong Mix(long seed, long id, int salt) =>
        SplitMix(SplitMix((ulong)seed * 31 + (ulong)salt) ^ (ulong)id);

    private const string Alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public static string Token(long seed, long id, int len)
    {
        var sb = new StringBuilder(len);
        var h = Mix(seed, id, 1);
        for (var i = 0; i < len; i++)
        {
            if (i % 8 == 7) h = SplitMix(h);
            sb.Append(Alnum[(int)(h % (ulong)Alnum.Length)]);
            h /= (ulong)Alnum.Length;
        }
        return sb.ToString();
    }

    public static string Hex(long seed, long id, int len)
    {
        var sb = new StringBuilder(len);
        var h = Mix(seed, id, 2);
        for (var i = 0; i < len; i++)
        {
            if (i % 16 == 15) h = SplitMix(h + (ulong)i);
            sb.Append("0123456789abcdef"[(int)(h & 0xf)]);
            h >>= 4;
        }
        return sb.ToString();
    }
}
