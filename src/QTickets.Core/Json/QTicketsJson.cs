using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using QTickets.Core.Model;

namespace QTickets.Core.Json;

/// <summary>
/// Reads QTickets' PHP-style JSON into the model. Tolerant of PHP's forms: money may be an integer or a decimal,
/// ids, amounts and flags may come as numeric strings, empty objects come as `[]`, `custom` is a string. Strict
/// about everything else in the values sales rows depend on (ids, money, quantities, payed, timestamps): a value
/// that is not a number where a number belongs is never read as 0. One bad field never fails a page: it is
/// recorded in <see cref="Order.Problems"/>, naming the field and the value, and the order is rejected.
/// </summary>
public static class QTicketsJson
{
    public static Order ParseOrder(JsonElement e, bool includePersonalData)
    {
        var problems = new List<string>();
        var order = new Order
        {
            Id = Id(e, "id", problems, required: true) ?? 0,
            SourceId = IdText(e),
            Payed = Flag(e, "payed", problems),
            PayedAt = Time(e, "payed_at", problems),
            EventId = Id(e, "event_id", problems, required: false) ?? 0,
            ClientId = Int64(e, "client_id") ?? 0,
            Price = Money(e, "price", problems) ?? 0m,
            OriginalPrice = Money(e, "original_price", problems) ?? 0m,
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

    static Basket ParseBasket(JsonElement b, long orderId, bool includePersonalData, List<string> orderProblems)
    {
        // Each problem names the basket, so the order's rejection says which ticket carried the bad value.
        var problems = new List<string>();
        var basket = new Basket
        {
            Id = Id(b, "id", problems, required: true) ?? 0,
            OrderId = orderId,
            ShowId = Id(b, "show_id", problems, required: true) ?? 0,
            SeatId = Text(b, "seat_id") ?? "",
            SeatName = Text(b, "seat_name") ?? "",
            OriginalPrice = Money(b, "original_price", problems) ?? 0m,
            DiscountValue = Money(b, "discount_value", problems),
            Price = Money(b, "price", problems, required: true) ?? 0m,
            TicketAmount = Money(b, "ticket_amount", problems) ?? 0m,
            ServiceFeeAmount = Money(b, "service_fee_amount", problems) ?? 0m,
            Quantity = Quantity(b, "quantity", problems) ?? 0,
            CheckedAt = Time(b, "checked_at", problems),
            CreatedAt = Time(b, "created_at", problems) ?? default,
            UpdatedAt = Time(b, "updated_at", problems) ?? default,
            DeletedAt = Time(b, "deleted_at", problems),
            RefundedAt = Time(b, "refunded_at", problems),
            RefundedAmount = Money(b, "refunded_amount", problems),
        };
        // A refund without its amount would count as a refund of 0: the ticket stays live with its full price.
        if (basket.RefundedAt is not null && basket.RefundedAmount is null && !problems.Any(p => p.StartsWith("refunded_amount", StringComparison.Ordinal)))
            problems.Add("refunded_amount is missing although refunded_at is set");
        if (problems.Count > 0)
        {
            var which = basket.Id > 0 ? $"basket {basket.Id.ToString(CultureInfo.InvariantCulture)}" : "a basket";
            orderProblems.AddRange(problems.Select(p => $"{which}: {p}"));
        }
        if (includePersonalData)
        {
            basket.HolderEmail = Text(b, "client_email");
            basket.HolderPhone = Text(b, "client_phone");
            basket.HolderName = FullName(Text(b, "client_name"), Text(b, "client_middlename"), Text(b, "client_surname"));
        }
        return basket;
    }

    public static PromoCode ParsePromoCode(JsonElement e) => new()
    {
        Id = Int64(e, "id") ?? 0,
        Code = (Text(e, "code") ?? "").Trim(),
        DiscountId = Int64(e, "discount_id") ?? 0,
        ActiveFrom = Time(e, "active_from", null),
        ActiveTo = Time(e, "active_to", null),
        UpdatedAt = Time(e, "updated_at", null) ?? default,
        DeletedAt = Time(e, "deleted_at", null),
        Payload = e.GetRawText(),
    };

    public static Discount ParseDiscount(JsonElement e) => new()
    {
        Id = Int64(e, "id") ?? 0,
        Name = (Text(e, "name") ?? "").Trim(),
        Type = (Text(e, "type") ?? "").Trim(),
        UpdatedAt = Time(e, "updated_at", null) ?? default,
        DeletedAt = Time(e, "deleted_at", null),
        Payload = e.GetRawText(),
    };

    public static ColorTheme ParseColorTheme(JsonElement e) => new()
    {
        Id = Int64(e, "id") ?? 0,
        Color = (Text(e, "color") ?? "").Trim(),
        Payload = e.GetRawText(),
    };

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

    // ---------------------------------------------------------------- strict readers of the values rows depend on
    //
    // Each reads what PHP really sends (an integer, a decimal, or the same as a numeric string; null for "none")
    // and reports anything else as a problem naming the field and the value, instead of a 0 that would pass for
    // a real amount. The quoted value is cut short and masked: these fields hold numbers, but a broken answer may
    // put anything in them, and problems reach logs and ClickHouse.

    /// <summary>A positive whole number (JSON integer or digit string). Missing or null: a problem when required.</summary>
    static long? Id(JsonElement e, string name, List<string> problems, bool required)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            if (required) problems.Add(name == "id" ? "the order has no id" : $"{name} is missing");
            return null;
        }
        if (WholeNumber(v) is { } n && n > 0) return n;
        problems.Add($"{name} {Quote(v)} is not a positive whole number");
        return null;
    }

    /// <summary>An amount of money (whole kopecks). Missing or null: null, or a problem when required.</summary>
    static decimal? Money(JsonElement e, string name, List<string> problems, bool required = false)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            if (required) problems.Add($"{name} is missing");
            return null;
        }
        var d = 0m;
        var read = v.ValueKind switch
        {
            JsonValueKind.Number => v.TryGetDecimal(out d),
            // "1500.00", "-50": digits, an optional sign and point. No thousands separators, spaces, commas or units.
            JsonValueKind.String => IsPlainDecimal(v.GetString()!) &&
                                    decimal.TryParse(v.GetString(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out d),
            _ => false,
        };
        if (!read)
        {
            problems.Add($"{name} {Quote(v)} is not an amount of money");
            return null;
        }
        if (decimal.Round(d, 2) != d)
        {
            problems.Add($"{name} {Quote(v)} is not a whole number of kopecks");
            return null;
        }
        return d;
    }

    /// <summary>A ticket count: a whole number from 0 (JSON integer or digit string). Missing or null is a problem.</summary>
    static int? Quantity(JsonElement e, string name, List<string> problems)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            problems.Add($"{name} is missing");
            return null;
        }
        if (WholeNumber(v) is { } n && n is >= 0 and <= int.MaxValue) return (int)n;
        problems.Add($"{name} {Quote(v)} is not a whole number of tickets");
        return null;
    }

    /// <summary>payed: true/false, 1/0 or their strings. Missing or anything else is a problem.</summary>
    static bool Flag(JsonElement e, string name, List<string> problems)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            problems.Add($"{name} is missing");
            return false;
        }
        switch (v.ValueKind)
        {
            case JsonValueKind.True: return true;
            case JsonValueKind.False: return false;
            case JsonValueKind.Number when v.TryGetInt64(out var n) && n is 0 or 1: return n == 1;
            case JsonValueKind.String when v.GetString() is "0" or "1" or "true" or "false": return v.GetString() is "1" or "true";
        }
        problems.Add($"{name} {Quote(v)} is not true or false");
        return false;
    }

    static long? WholeNumber(JsonElement v)
    {
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n)) return n;
        if (v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 and <= 18 } s && s.All(char.IsAsciiDigit))
            return long.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture);
        return null;
    }

    static bool IsPlainDecimal(string s)
    {
        var digits = 0;
        var points = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (char.IsAsciiDigit(c)) digits++;
            else if (c == '.') points++;
            else if (c != '-' || i != 0) return false;
        }
        return digits > 0 && points <= 1 && digits <= 20;
    }

    /// <summary>The order's id as served, for naming an order whose id is not a number.</summary>
    static string IdText(JsonElement e) =>
        e.TryGetProperty("id", out var v) && v.ValueKind is JsonValueKind.Number or JsonValueKind.String ? Cut(v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText()) : "";

    /// <summary>A value as it came, quoted for a problem: at most 40 characters, personal-looking text masked.</summary>
    static string Quote(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => "'" + Cut(v.GetString()!) + "'",
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => Cut(v.GetRawText()),
        JsonValueKind.Object => "(an object)",
        JsonValueKind.Array => "(a list)",
        _ => "(" + v.ValueKind.ToString().ToLowerInvariant() + ")",
    };

    static string Cut(string text)
    {
        var masked = QTickets.Core.Json.PersonalData.MaskText(text);
        return masked.Length <= 40 ? masked : masked[..37] + "...";
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
