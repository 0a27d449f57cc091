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
    /// <summary>
    /// One order from its UTF-8 JSON, in one forward pass (<see cref="OrderReader"/>): the model's values, and the
    /// payload with only the <see cref="PersonalData.PayloadKeys"/>, masked, as UTF-8.
    /// </summary>
    /// <exception cref="JsonException">The JSON is not an object, or a basket in it is not one.</exception>
    public static Order ParseOrder(ReadOnlySpan<byte> utf8, bool includePersonalData) => OrderReader.Read(utf8, includePersonalData);

    /// <summary>
    /// A page of `GET /orders` read in one pass (<see cref="ListPageReader"/>): its envelope, and each order as
    /// <see cref="ParseOrder(ReadOnlySpan{byte}, bool)"/> reads one, on the same reader.
    /// </summary>
    /// <exception cref="JsonException">The bytes are not one complete JSON value (a cut-off body).</exception>
    public static ListPage<Order> ParseOrdersPage(ReadOnlySpan<byte> utf8, bool includePersonalData) =>
        ListPageReader.Read(utf8, (ReadOnlySpan<byte> page, ref Utf8JsonReader r) => OrderReader.Read(page, ref r, includePersonalData));

    /// <summary>
    /// A page of a small list (events, promo codes, discounts) read by the same envelope reader as orders pages, each
    /// item parsed as an element by <paramref name="parse"/>; an item <paramref name="parse"/> refuses is a problem of
    /// the page, not a body to fetch again.
    /// </summary>
    /// <exception cref="JsonException">The bytes are not one complete JSON value (a cut-off body).</exception>
    public static ListPage<T> ParseListPage<T>(ReadOnlySpan<byte> utf8, Func<JsonElement, T> parse) =>
        ListPageReader.Read(utf8, (ReadOnlySpan<byte> page, ref Utf8JsonReader r) =>
        {
            var element = JsonElement.ParseValue(ref r);
            try
            {
                return parse(element);
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException(ex.Message, ex);
            }
        });

    /// <summary>An order that is an element of a parsed page or answer: read from the element's own UTF-8 bytes.</summary>
    public static Order ParseOrder(JsonElement e, bool includePersonalData) =>
        e.ValueKind == JsonValueKind.Object
            ? OrderReader.Read(JsonMarshal.GetRawUtf8Value(e), includePersonalData)
            : throw new JsonException($"an order is {e.ValueKind.ToString().ToLowerInvariant()}, not an object");

    public static PromoCode ParsePromoCode(JsonElement e) => new()
    {
        Id = Int64(e, "id") ?? 0,
        Code = (Text(e, "code") ?? "").Trim(),
        DiscountId = Int64(e, "discount_id") ?? 0,
        ActiveFrom = Time(e, "active_from"),
        ActiveTo = Time(e, "active_to"),
        UpdatedAt = Time(e, "updated_at") ?? default,
        DeletedAt = Time(e, "deleted_at"),
        Payload = e.GetRawText(),
    };

    public static Discount ParseDiscount(JsonElement e) => new()
    {
        Id = Int64(e, "id") ?? 0,
        Name = (Text(e, "name") ?? "").Trim(),
        Type = (Text(e, "type") ?? "").Trim(),
        UpdatedAt = Time(e, "updated_at") ?? default,
        DeletedAt = Time(e, "deleted_at"),
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
            CreatedAt = Time(e, "created_at") ?? default,
            UpdatedAt = Time(e, "updated_at") ?? default,
            DeletedAt = Time(e, "deleted_at"),
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
                    StartDate = Time(s, "start_date"),
                    FinishDate = Time(s, "finish_date"),
                    OpenDate = Time(s, "open_date"),
                    SaleStartDate = Time(s, "sale_start_date"),
                    SaleFinishDate = Time(s, "sale_finish_date"),
                    DeletedAt = Time(s, "deleted_at"),
                });
        ev.Shows = shows;
        return ev;
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

    /// <summary>"1500.00", "-50": digits, an optional sign and point. No thousands separators, spaces, commas or units.</summary>
    internal static bool IsPlainDecimal(string s)
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

    /// <summary>A value as it came, cut for a problem: at most 40 characters, personal-looking text masked.</summary>
    internal static string Cut(string text)
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

    /// <summary>A timestamp of an event, a show or a reference list; one that cannot be read is none.</summary>
    static DateTimeOffset? Time(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.String) return null;
        var raw = JsonMarshal.GetRawUtf8Value(v);
        if (TryServedForm(raw[1..^1], out var served)) return served;
        return TryOtherForm(v.GetString(), out var other) ? other : null;
    }

    /// <summary>
    /// A timestamp not in the served form: any ISO-8601 form with an offset; "" is none (true). False: it is
    /// not a timestamp with an offset.
    /// </summary>
    internal static bool TryOtherForm(string? text, out DateTimeOffset? value)
    {
        value = null;
        if (string.IsNullOrEmpty(text)) return true;
        // The API always sends an offset (+03:00); a timestamp without one would be ambiguous, so it is refused.
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) || !HasOffset(text)) return false;
        value = t;
        return true;
    }

    /// <summary>
    /// The one form the API serves, "yyyy-MM-ddTHH:mm:ss+hh:mm" (without its quotes in <paramref name="raw"/>), read
    /// straight from the UTF-8 bytes: ~20 timestamps per order made the culture-aware parse a large part of the
    /// parse cost (BENCHMARKS.md, "Parse and convert"). Anything else (escapes, Z, fractions, a bad date) takes
    /// the general path, which also reports what is wrong.
    /// </summary>
    internal static bool TryServedForm(ReadOnlySpan<byte> raw, out DateTimeOffset value)
    {
        if (!ServedForm(raw, out var date, out var offset))
        {
            value = default;
            return false;
        }
        value = new DateTimeOffset(date, offset);
        return true;
    }

    /// <summary>Whether <see cref="TryServedForm"/> reads the bytes (the payload only copies them).</summary>
    internal static bool IsServedForm(ReadOnlySpan<byte> raw) => ServedForm(raw, out _, out _);

    /// <summary>The served form's fields, each read and checked once.</summary>
    static bool ServedForm(ReadOnlySpan<byte> raw, out DateTime date, out TimeSpan offset)
    {
        date = default;
        offset = default;
        if (raw.Length != 25 || raw[4] != '-' || raw[7] != '-' || raw[10] != 'T' || raw[13] != ':' || raw[16] != ':' ||
            raw[19] is not ((byte)'+' or (byte)'-') || raw[22] != ':')
            return false;
        int year = Digits(raw, 0, 4), month = Digits(raw, 5, 2), day = Digits(raw, 8, 2), hour = Digits(raw, 11, 2),
            minute = Digits(raw, 14, 2), second = Digits(raw, 17, 2), offsetHours = Digits(raw, 20, 2), offsetMinutes = Digits(raw, 23, 2);
        if (!(year >= 1 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month) && hour is >= 0 and <= 23 &&
              minute is >= 0 and <= 59 && second is >= 0 and <= 59 && offsetHours is >= 0 and <= 14 && offsetMinutes is >= 0 and <= 59))
            return false;
        date = new DateTime(year, month, day, hour, minute, second);
        offset = new TimeSpan(raw[19] == '-' ? -offsetHours : offsetHours, raw[19] == '-' ? -offsetMinutes : offsetMinutes, 0);
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
