using System.Buffers;
using System.Collections.Frozen;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace QTickets.Core.Json;

/// <summary>
/// What of a QTickets order may reach ClickHouse (payload_json), and how personal data is recognised in text.
/// The payload keeps an allow-list of keys (<see cref="PayloadKeys"/>): a key QTickets adds tomorrow, or one an
/// organiser fills with a buyer's details, stays out until someone lists it here. The strings that are kept are
/// free text in places (utm tags, custom, seat names), so they are masked like the debug protocol masks answers:
/// e-mails, phone numbers, and the names of this order's buyer and ticket holders.
/// </summary>
public static partial class PersonalData
{
    public const string Masked = "***";

    /// <summary>
    /// The keys that identify a person or open their order: the client object (names, e-mail, phone, social ids),
    /// the card mask, the uniqid and every URL built from it, extra form fields (company, INN), and per ticket the
    /// holder's contacts, the barcode and the ticket URLs. The debug protocol keeps every key and masks these;
    /// the payload keeps none of them (none is on <see cref="PayloadKeys"/>).
    /// </summary>
    public static readonly IReadOnlySet<string> Keys = new HashSet<string>(StringComparer.Ordinal)
    {
        "client", "uniqid", "payment_card_number", "payment_url", "cancel_url", "fields",
        "client_email", "client_phone", "client_name", "client_surname", "client_middlename",
        "organization_name", "legal_name", "work_position", "inn", "kpp", "comment",
        "barcode", "pdf_url", "passbook_url", "gpass_url",
    };

    /// <summary>
    /// Which keys an object under a kept key may keep; <see cref="Leaf"/> keeps none (a scalar is kept, masked if
    /// it is a string; an object there is written empty). An array applies its key's shape to every item.
    /// </summary>
    public sealed class Shape
    {
        Shape(IReadOnlyDictionary<string, Shape> keys)
        {
            Keys = keys.ToFrozenDictionary(StringComparer.Ordinal);
            _lookup = new Utf8KeyTable<Shape>(keys);
        }

        readonly Utf8KeyTable<Shape> _lookup;

        public IReadOnlyDictionary<string, Shape> Keys { get; }

        public static readonly Shape Leaf = new(new Dictionary<string, Shape>());

        public static Shape Of(params (string Key, Shape Shape)[] keys) => new(keys.ToDictionary(k => k.Key, k => k.Shape));

        public static Shape Of(IEnumerable<string> leaves, params (string Key, Shape Shape)[] nested) =>
            new(leaves.Select(k => (k, Leaf)).Concat(nested).ToDictionary(k => k.Item1, k => k.Item2));

        /// <summary>The shape under a key, by the key's unescaped UTF-8 bytes.</summary>
        internal bool TryGet(ReadOnlySpan<byte> key, out Shape shape) => _lookup.TryGet(key, out shape);
    }

    /// <summary>
    /// A refund entry (order and ticket `refunds`): never seen filled in a capture, so only what a refund is made
    /// of (amounts, times, ids) is kept.
    /// </summary>
    static readonly Shape s_refund = Shape.Of(["id", "amount", "deduction_amount", "refunded_amount", "refunded_deduction_amount",
        "created_at", "updated_at", "deleted_at"]);

    /// <summary>A ticket: what it is, where, for how much, and what happened to it; never who holds it.</summary>
    static readonly Shape s_basket = Shape.Of(
        ["id", "series", "show_id", "seat_id", "seat_name", "original_price", "ticket_original_price", "discount_value", "price",
         "ticket_amount", "service_fee_amount", "multiprice_code", "quantity", "related_baskets", "services", "checked_at",
         "created_at", "updated_at", "deleted_at", "refunded_at", "refunded_amount", "refunded_deduction_amount"],
        ("refunds", s_refund));

    /// <summary>
    /// The order keys payload_json keeps, from the served orders (tests/fixtures/orders_page1.json,
    /// order_by_id.json). `custom` is the buy button's free text: kept as masked text; as an object its keys are
    /// the organiser's own, so none is kept. `client_id` and the user ids are QTickets' numbers, not a person's data.
    /// </summary>
    public static readonly Shape PayloadKeys = Shape.Of(
        ["id", "payed", "payed_at", "client_id", "site_id", "payment_id", "payment_type_id", "basket_user_id", "backend_user_id",
         "access_code_id", "discount_id", "promo_code_id", "reserved", "reserved_to", "reserve_extended", "event_id", "price",
         "original_price", "currency_id", "custom", "created_at", "updated_at", "deleted_at"],
        ("site", Shape.Of(["id", "host"])),
        ("utm", Shape.Of(["utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term"])),
        ("baskets", s_basket),
        ("refunds", s_refund),
        ("integrations", Shape.Of(("roistat", Shape.Of(["roistat_visit"])))));

    /// <summary>How the payload is written: Cyrillic stays readable in ClickHouse; the JSON stays valid.</summary>
    internal static readonly JsonWriterOptions PayloadWriting = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    /// <summary>
    /// Whether <see cref="MaskText"/> without names leaves a value as it is, read from its UTF-8 bytes as served (without
    /// quotes or escapes): no '"' (JSON inside the text), no '@' (an e-mail), and too few digits for a phone number (9
    /// digits and no '+': every Russian form has 10 or 11, every other one starts with '+').
    /// </summary>
    internal static bool NoPatternIn(ReadOnlySpan<byte> raw)
    {
        // Searched, not walked byte by byte: kept texts are mostly Cyrillic, with no digit or a few.
        if (raw.IndexOfAny(s_patternMarks) >= 0) return false;
        var first = raw.IndexOfAnyInRange((byte)'0', (byte)'9');
        if (first < 0) return true;
        var digits = 0;
        foreach (var b in raw[first..])
            if (b is >= (byte)'0' and <= (byte)'9') digits++;
        return digits < 9 || (digits == 9 && !raw.Contains((byte)'+'));
    }

    static readonly SearchValues<byte> s_patternMarks = SearchValues.Create("@\"\\"u8);

    /// <summary>Whether a name (two letters or more) could be in a value: an ASCII letter or any non-ASCII byte.</summary>
    internal static bool MayHoldName(ReadOnlySpan<byte> raw)
    {
        foreach (var b in raw)
            if (b >= 0x80 || (b | 0x20) is >= (byte)'a' and <= (byte)'z') return true;
        return false;
    }

    /// <summary>
    /// Free text with personal data masked: the string value of any personal key quoted in it (JSON inside text, a
    /// cut-off answer), e-mail addresses, phone numbers (+7 / 8 and 10 or 11 digits, or any +country number), and
    /// whole-word occurrences of <paramref name="names"/>.
    /// </summary>
    public static string MaskText(string text, IReadOnlyList<string>? names = null)
    {
        if (text.Length == 0) return text;
        if (text.Contains('"')) text = KeyedString().Replace(text, m => IsPersonalKey(m.Groups["key"].Value) ? $"\"{m.Groups["key"].Value}\":\"{Masked}\"" : m.Value);
        if (text.Contains('@')) text = Email().Replace(text, Masked);
        var digits = 0;
        foreach (var c in text) if (char.IsAsciiDigit(c)) digits++;
        if (digits >= 9) text = Phone().Replace(text, Masked);
        return names is null ? text : MaskNames(text, names);
    }

    /// <summary>The last step of <see cref="MaskText"/>: whole-word occurrences of <paramref name="names"/> masked.</summary>
    internal static string MaskNames(string text, IReadOnlyList<string> names)
    {
        if (!AnyNameIn(text, names)) return text;
        for (var i = 0; i < names.Count; i++)
            text = MaskWord(text, names[i]);
        return text;
    }

    /// <summary>Whether any of <paramref name="names"/> is in the text at all (ignoring case), whole word or not.</summary>
    internal static bool AnyNameIn(ReadOnlySpan<char> text, IReadOnlyList<string> names)
    {
        // By index: a foreach over the interface would box an enumerator for every text of every order.
        for (var i = 0; i < names.Count; i++)
            if (text.IndexOf(names[i], StringComparison.OrdinalIgnoreCase) >= 0) return true;
        return false;
    }

    static bool IsPersonalKey(string key) =>
        Keys.Contains(key) || key is "name" or "surname" or "middlename" or "email" or "phone";

    static string MaskWord(string text, string word)
    {
        var from = 0;
        while (from < text.Length)
        {
            var at = text.IndexOf(word, from, StringComparison.OrdinalIgnoreCase);
            if (at < 0) break;
            var end = at + word.Length;
            if ((at == 0 || !char.IsLetterOrDigit(text[at - 1])) && (end == text.Length || !char.IsLetterOrDigit(text[end])))
            {
                text = string.Concat(text.AsSpan(0, at), Masked, text.AsSpan(end));
                from = at + Masked.Length;
            }
            else
            {
                from = at + 1;
            }
        }
        return text;
    }

    [GeneratedRegex(@"""(?<key>[A-Za-z_]+)""\s*:\s*""(?:[^""\\]|\\.)*""?")]
    private static partial Regex KeyedString();

    [GeneratedRegex(@"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")]
    private static partial Regex Email();

    // +7 and 8 with 10 digits (Russian numbers, any separators), a bare 10-digit mobile (9xx), or any +country number.
    [GeneratedRegex(@"(?<![\d+])(?:(?:\+7|8|7)[\s\-()]*)?\(?9\d{2}\)?[\s\-]*\d{3}[\s\-]*\d{2}[\s\-]*\d{2}(?!\d)|\+7[\s\-()]*\d{3}[\s\-()]*\d{3}[\s\-]*\d{2}[\s\-]*\d{2}(?!\d)|(?<![\d+])8[\s\-(]*\d{3}[\s\-)]*\d{3}[\s\-]*\d{2}[\s\-]*\d{2}(?!\d)|\+[1-9][\d\s\-().]{8,}\d")]
    private static partial Regex Phone();
}
