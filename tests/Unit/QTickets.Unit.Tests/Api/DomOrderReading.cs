using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using QTickets.Core.Json;
using QTickets.Core.Model;

namespace QTickets.Unit.Tests.Api;

/// <summary>
/// The reference the one-pass <see cref="QTicketsJson.ParseOrder(ReadOnlySpan{byte}, bool)"/> is compared with: the same
/// rules written the plain way, each field looked up in a parsed document (JsonElement) and the payload written in a
/// second walk over it. Slow and simple on purpose: OrderReaderAgreementTests require both to give the same order,
/// problems and payload byte for byte, on every fixture and on adversarial variants of them.
/// </summary>
internal static class DomOrderReading
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
            PayloadJson = Scrub(e),
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

    static UtmTags ParseUtm(JsonElement e)
    {
        // `[]` when the order has no tags (PHP's empty array); an object otherwise.
        if (!e.TryGetProperty("utm", out var utm) || utm.ValueKind != JsonValueKind.Object) return UtmTags.Empty;
        // Tags are free text from a link anyone can write, stored in their own columns: masked like the payload.
        var names = NamesIn(e);
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
        if (QTicketsJson.TryServedForm(JsonMarshal.GetRawUtf8Value(v)[1..^1], out var served)) return served;
        var text = v.GetString();
        if (string.IsNullOrEmpty(text)) return null;
        // The API always sends an offset (+03:00); a timestamp without one would be ambiguous, so it is refused.
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) && HasOffset(text))
            return t;
        problems?.Add($"{name} '{text}' is not an ISO-8601 timestamp with an offset");
        return null;
    }

    static readonly JsonWriterOptions s_options = new()
    {
        // Cyrillic stays readable in ClickHouse; the JSON stays valid.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    /// <summary>The order with only the listed keys, in their original order, every kept string masked with the order's names.</summary>
    static string Scrub(JsonElement order)
    {
        var names = NamesIn(order);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using var writer = new Utf8JsonWriter(buffer, s_options);
        Write(writer, order, PersonalData.PayloadKeys, names);
        writer.Flush();
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    static void Write(Utf8JsonWriter writer, JsonElement element, PersonalData.Shape shape, IReadOnlyList<string> names)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject())
                {
                    if (!shape.Keys.TryGetValue(property.Name, out var child)) continue;
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value, child, names);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray()) Write(writer, item, shape, names);
                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                var value = JsonMarshal.GetRawUtf8Value(element);
                if (QTicketsJson.TryServedForm(value[1..^1], out _)) element.WriteTo(writer);
                else writer.WriteStringValue(PersonalData.MaskText(element.GetString() ?? "", names));
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    /// <summary>
    /// The names of the order's buyer and ticket holders (client.details, and each basket's client_*), each part
    /// of two letters or more: free text that quotes them ("gift for Anna Petrova") has them masked.
    /// </summary>
    internal static IReadOnlyList<string> NamesIn(JsonElement order)
    {
        if (order.ValueKind != JsonValueKind.Object) return [];
        var names = new List<string>();
        void Add(JsonElement parent, string key)
        {
            if (!parent.TryGetProperty(key, out var v) || v.ValueKind != JsonValueKind.String) return;
            foreach (var part in (v.GetString() ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            {
                var letters = 0;
                foreach (var c in part) if (char.IsLetter(c)) letters++;
                if (letters < 2) continue;
                var known = false;
                foreach (var name in names) known |= name.Equals(part, StringComparison.OrdinalIgnoreCase);
                if (!known) names.Add(part);
            }
        }
        if (order.TryGetProperty("client", out var client) && client.ValueKind == JsonValueKind.Object &&
            client.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Object)
            foreach (var key in s_clientNameKeys) Add(details, key);
        if (order.TryGetProperty("baskets", out var baskets) && baskets.ValueKind == JsonValueKind.Array)
            foreach (var basket in baskets.EnumerateArray())
                if (basket.ValueKind == JsonValueKind.Object)
                    foreach (var key in s_holderNameKeys) Add(basket, key);
        return names;
    }

    static readonly string[] s_clientNameKeys = ["name", "surname", "middlename"];
    static readonly string[] s_holderNameKeys = ["client_name", "client_surname", "client_middlename"];


    static bool HasOffset(string text) =>
        text.EndsWith('Z') || (text.Length > 6 && (text[^6] is '+' or '-') && text[^3] == ':') ||
        (text.Length > 5 && (text[^5] is '+' or '-') && char.IsAsciiDigit(text[^1]));
}
