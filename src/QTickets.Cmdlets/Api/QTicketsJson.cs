using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using QTickets.Model;

namespace QTickets.Api;

/// <summary>
/// Reads QTickets' PHP-style JSON into the model. Tolerant on purpose: money may be an integer or a decimal,
/// ids and flags may come as strings, empty objects come as `[]`, `custom` is a string. One bad field never
/// fails a page: it is recorded in <see cref="Order.Problems"/> and the transform decides.
/// </summary>
public static class QTicketsJson
{
    public static Order ParseOrder(JsonElement e, bool includePersonalData)
    {
        var problems = new List<string>();
        var order = new Order
        {
            Id = Int64(e, "id") ?? 0,
            Payed = Bool(e, "payed"),
            PayedAt = Time(e, "payed_at", problems),
            EventId = Int64(e, "event_id") ?? 0,
            ClientId = Int64(e, "client_id") ?? 0,
            Price = Money(e, "price") ?? 0m,
            OriginalPrice = Money(e, "original_price") ?? 0m,
            CurrencyId = Text(e, "currency_id") ?? "",
            PaymentTypeId = Text(e, "payment_type_id") ?? "",
            DiscountId = Int64(e, "discount_id"),
            PromoCodeId = Int64(e, "promo_code_id"),
            Reserved = Bool(e, "reserved"),
            ReservedTo = Time(e, "reserved_to", problems),
            Utm = ParseUtm(e),
            CreatedAt = Time(e, "created_at", problems) ?? default,
            UpdatedAt = Time(e, "updated_at", problems) ?? default,
            DeletedAt = Time(e, "deleted_at", problems),
            PayloadJson = PersonalData.Scrub(e),
        };
        if (order.Id <= 0) problems.Add("the order has no id");

        var baskets = new List<Basket>();
        if (e.TryGetProperty("baskets", out var items) && items.ValueKind == JsonValueKind.Array)
            foreach (var b in items.EnumerateArray())
                baskets.Add(ParseBasket(b, order.Id, includePersonalData, problems));
        order.Baskets = baskets;

        if (includePersonalData && e.TryGetProperty("client", out var client) && client.ValueKind == JsonValueKind.Object)
        {
            order.ClientEmail = Text(client, "email");
            if (client.TryGetProperty("details", out var d) && d.ValueKind == JsonValueKind.Object)
            {
                order.ClientPhone = Text(d, "phone");
                order.ClientName = FullName(Text(d, "name"), Text(d, "middlename"), Text(d, "surname"));
            }
            order.PaymentCardNumber = Text(e, "payment_card_number");
        }
        if (problems.Count > 0) order.Problems = problems;
        return order;
    }

    static Basket ParseBasket(JsonElement b, long orderId, bool includePersonalData, List<string> problems)
    {
        var basket = new Basket
        {
            Id = Int64(b, "id") ?? 0,
            OrderId = orderId,
            ShowId = Int64(b, "show_id") ?? 0,
            SeatId = Text(b, "seat_id") ?? "",
            SeatName = Text(b, "seat_name") ?? "",
            OriginalPrice = Money(b, "original_price") ?? 0m,
            DiscountValue = Money(b, "discount_value"),
            Price = Money(b, "price") ?? 0m,
            TicketAmount = Money(b, "ticket_amount") ?? 0m,
            ServiceFeeAmount = Money(b, "service_fee_amount") ?? 0m,
            Quantity = (int)(Int64(b, "quantity") ?? 1),
            CheckedAt = Time(b, "checked_at", problems),
            CreatedAt = Time(b, "created_at", problems) ?? default,
            UpdatedAt = Time(b, "updated_at", problems) ?? default,
            DeletedAt = Time(b, "deleted_at", problems),
            RefundedAt = Time(b, "refunded_at", problems),
            RefundedAmount = Money(b, "refunded_amount"),
        };
        if (includePersonalData)
        {
            basket.HolderEmail = Text(b, "client_email");
            basket.HolderPhone = Text(b, "client_phone");
            basket.HolderName = FullName(Text(b, "client_name"), Text(b, "client_middlename"), Text(b, "client_surname"));
        }
        return basket;
    }

    public static Event ParseEvent(JsonElement e)
    {
        var ev = new Event
        {
            Id = Int64(e, "id") ?? 0,
            Name = (Text(e, "name") ?? "").Trim(),
            IsActive = Bool(e, "is_active"),
            CityId = Int64(e, "city_id") ?? 0,
            PlaceName = Text(e, "place_name") ?? "",
            PlaceAddress = Text(e, "place_address") ?? "",
            CurrencyId = Text(e, "currency_id") ?? "",
            Url = Text(e, "url") ?? "",
            CreatedAt = Time(e, "created_at", null) ?? default,
            UpdatedAt = Time(e, "updated_at", null) ?? default,
            DeletedAt = Time(e, "deleted_at", null),
        };
        if (e.TryGetProperty("city", out var city) && city.ValueKind == JsonValueKind.Object)
        {
            ev.City = (Text(city, "name") ?? "").Trim();
            ev.CityTimeZone = Text(city, "timezone") ?? "";
            if (ev.CityId == 0) ev.CityId = Int64(city, "id") ?? 0;
        }
        var shows = new List<Show>();
        if (e.TryGetProperty("shows", out var items) && items.ValueKind == JsonValueKind.Array)
            foreach (var s in items.EnumerateArray())
                shows.Add(new Show
                {
                    Id = Int64(s, "id") ?? 0,
                    EventId = ev.Id,
                    Name = Text(s, "name") ?? "",
                    IsActive = Bool(s, "is_active"),
                    StartDate = Time(s, "start_date", null),
                    FinishDate = Time(s, "finish_date", null),
                    OpenDate = Time(s, "open_date", null),
                    SaleStartDate = Time(s, "sale_start_date", null),
                    SaleFinishDate = Time(s, "sale_finish_date", null),
                    DeletedAt = Time(s, "deleted_at", null),
                });
        ev.Shows = shows;
        return ev;
    }

    static UtmTags ParseUtm(JsonElement e)
    {
        // `[]` when the order has no tags (PHP's empty array); an object otherwise.
        if (!e.TryGetProperty("utm", out var utm) || utm.ValueKind != JsonValueKind.Object) return UtmTags.Empty;
        // Tags are free text from a link anyone can write, stored in their own columns: masked like the payload.
        var names = PersonalData.NamesIn(e);
        string Tag(string name) => PersonalData.MaskText((Text(utm, name) ?? "").Trim(), names);
        return new UtmTags(Tag("utm_source"), Tag("utm_medium"), Tag("utm_campaign"), Tag("utm_content"), Tag("utm_term"));
    }

    static string? FullName(params string?[] parts)
    {
        var name = string.Join(" ", parts.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => p!.Trim()));
        return name.Length == 0 ? null : name;
    }

    static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        } : null;

    static long? Int64(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var v)) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n)) return n;
        if (v.ValueKind == JsonValueKind.String && long.TryParse(v.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out n)) return n;
        return null;
    }

    static decimal? Money(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var v)) return null;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDecimal(out var d)) return d;
        if (v.ValueKind == JsonValueKind.String && decimal.TryParse(v.GetString(), NumberStyles.Number, CultureInfo.InvariantCulture, out d)) return d;
        return null;
    }

    static bool Bool(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.Number => v.TryGetInt64(out var n) && n != 0,
            JsonValueKind.String => v.GetString() is "1" or "true" or "True",
            _ => false,
        };

    static DateTimeOffset? Time(JsonElement e, string name, List<string>? problems)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.String) return null;
        if (TryServedForm(JsonMarshal.GetRawUtf8Value(v), out var served)) return served;
        var text = v.GetString();
        if (string.IsNullOrEmpty(text)) return null;
        // The API always sends an offset (+03:00); a timestamp without one would be ambiguous, so it is refused.
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) && HasOffset(text))
            return t;
        problems?.Add($"{name} '{text}' is not an ISO-8601 timestamp with an offset");
        return null;
    }

    /// <summary>
    /// The one form the API serves, "yyyy-MM-ddTHH:mm:ss+hh:mm" (quotes included in <paramref name="raw"/>), read
    /// straight from the UTF-8 bytes: ~20 timestamps per order made the culture-aware parse a large part of the
    /// parse cost (BENCHMARKS.md, "Parse and convert"). Anything else (escapes, Z, fractions, a bad date) takes
    /// the general path, which also reports what is wrong.
    /// </summary>
    internal static bool TryServedForm(ReadOnlySpan<byte> raw, out DateTimeOffset value)
    {
        value = default;
        if (raw.Length != 27 || raw[5] != '-' || raw[8] != '-' || raw[11] != 'T' || raw[14] != ':' || raw[17] != ':' ||
            raw[20] is not ((byte)'+' or (byte)'-') || raw[23] != ':')
            return false;
        int year = Digits(raw, 1, 4), month = Digits(raw, 6, 2), day = Digits(raw, 9, 2), hour = Digits(raw, 12, 2),
            minute = Digits(raw, 15, 2), second = Digits(raw, 18, 2), offsetHours = Digits(raw, 21, 2), offsetMinutes = Digits(raw, 24, 2);
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour is < 0 or > 23 ||
            minute is < 0 or > 59 || second is < 0 or > 59 || offsetHours is < 0 or > 14 || offsetMinutes is < 0 or > 59)
            return false;
        var offset = new TimeSpan(offsetHours, offsetMinutes, 0);
        value = new DateTimeOffset(year, month, day, hour, minute, second, raw[20] == '-' ? -offset : offset);
        return true;
    }

    static int Digits(ReadOnlySpan<byte> raw, int at, int count)
    {
        var n = 0;
        for (var i = at; i < at + count; i++)
        {
            var d = raw[i] - '0';
            if ((uint)d > 9) return -1;
            n = n * 10 + d;
        }
        return n;
    }

    static bool HasOffset(string text) =>
        text.EndsWith('Z') || (text.Length > 6 && (text[^6] is '+' or '-') && text[^3] == ':') ||
        (text.Length > 5 && (text[^5] is '+' or '-') && char.IsAsciiDigit(text[^1]));
}
