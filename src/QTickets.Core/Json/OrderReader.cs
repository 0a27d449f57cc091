using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using QTickets.Core.Model;

namespace QTickets.Core.Json;

/// <summary>
/// Reads one order in one forward pass over its UTF-8 JSON: the model's values, the names of its people, and the
/// payload (only the <see cref="PersonalData.PayloadKeys"/>, kept strings masked) written as the reader goes, into a
/// buffer the thread reuses. Looking every field up in a parsed document and writing the payload in a second walk costs
/// several times a plain System.Text.Json read (BENCHMARKS.md, "Parse and convert").
/// <para>
/// The names a free text must not quote are known only at the end (ticket holders come after utm and custom), so each
/// kept text that could quote one is noted where it was written, and rewritten at the end when a name is in it.
/// A key served twice counts with its last value, as a lookup in a parsed document would; the payload keeps both.
/// </para>
/// <para>
/// The values rows depend on (ids, money, quantities, payed, timestamps) are read strictly: what PHP really sends (an
/// integer, a decimal, or the same as a numeric string; null for "none") and anything else a problem naming the field
/// and the value, never a 0 that would pass for a real amount. Problems are listed in a fixed order of fields (the
/// order's, then each basket's), whatever the order of the keys. The quoted value is cut short and masked: these
/// fields hold numbers, but a broken answer may put anything in them, and problems reach logs and ClickHouse.
/// </para>
/// </summary>
internal sealed class OrderReader
{
    [ThreadStatic] static OrderReader? t_reader;

    /// <summary>One order alone: its JSON is all of <paramref name="json"/> (saved by hand: comments and trailing commas allowed).</summary>
    /// <exception cref="JsonException">The JSON is not valid, not an object, or a basket in it is not one.</exception>
    public static Order Read(ReadOnlySpan<byte> json, bool includePersonalData)
    {
        var r = new Utf8JsonReader(json, s_options);
        r.Read();
        try
        {
            return Read(json, ref r, includePersonalData);
        }
        catch (OrderShapeException ex)
        {
            throw new JsonException(ex.Message);
        }
    }

    /// <summary>
    /// The order at the reader's token, the reader left on the order's last token: an element of a page read by the
    /// same reader (<see cref="ListPageReader"/>), so a page is tokenized once. <paramref name="json"/> is everything
    /// the reader reads (positions in the payload's notes are the reader's).
    /// </summary>
    /// <exception cref="OrderShapeException">The order is not an object, or a basket in it is not one.</exception>
    /// <exception cref="JsonException">The JSON is not valid (the reader's own).</exception>
    public static Order Read(ReadOnlySpan<byte> json, ref Utf8JsonReader r, bool includePersonalData) =>
        (t_reader ??= new OrderReader()).ReadOrder(json, ref r, includePersonalData);

    // The order's keys; those that can carry a problem come first, in the order their problems are listed.
    enum OrderKey { Id, Payed, PayedAt, EventId, Price, OriginalPrice, ReservedTo, CreatedAt, UpdatedAt, DeletedAt,
        ClientId, CurrencyId, PaymentTypeId, DiscountId, PromoCodeId, Reserved, Utm, Client, Baskets, PaymentCardNumber }

    const int OrderProblemSlots = (int)OrderKey.DeletedAt + 1;

    enum BasketKey { Id, ShowId, OriginalPrice, DiscountValue, Price, TicketAmount, ServiceFeeAmount, Quantity, CheckedAt,
        CreatedAt, UpdatedAt, DeletedAt, RefundedAt, RefundedAmount,
        SeatId, SeatName, ClientEmail, ClientPhone, ClientName, ClientSurname, ClientMiddlename }

    const int BasketProblemSlots = (int)BasketKey.RefundedAmount + 1;

    static readonly Dictionary<string, OrderKey> s_orderKeys = new()
    {
        ["id"] = OrderKey.Id, ["payed"] = OrderKey.Payed, ["payed_at"] = OrderKey.PayedAt, ["event_id"] = OrderKey.EventId,
        ["price"] = OrderKey.Price, ["original_price"] = OrderKey.OriginalPrice, ["reserved_to"] = OrderKey.ReservedTo,
        ["created_at"] = OrderKey.CreatedAt, ["updated_at"] = OrderKey.UpdatedAt, ["deleted_at"] = OrderKey.DeletedAt,
        ["client_id"] = OrderKey.ClientId, ["currency_id"] = OrderKey.CurrencyId, ["payment_type_id"] = OrderKey.PaymentTypeId,
        ["discount_id"] = OrderKey.DiscountId, ["promo_code_id"] = OrderKey.PromoCodeId, ["reserved"] = OrderKey.Reserved,
        ["utm"] = OrderKey.Utm, ["client"] = OrderKey.Client, ["baskets"] = OrderKey.Baskets,
        ["payment_card_number"] = OrderKey.PaymentCardNumber,
    };

    static readonly Dictionary<string, BasketKey> s_basketKeys = new()
    {
        ["id"] = BasketKey.Id, ["show_id"] = BasketKey.ShowId, ["original_price"] = BasketKey.OriginalPrice,
        ["discount_value"] = BasketKey.DiscountValue, ["price"] = BasketKey.Price, ["ticket_amount"] = BasketKey.TicketAmount,
        ["service_fee_amount"] = BasketKey.ServiceFeeAmount, ["quantity"] = BasketKey.Quantity, ["checked_at"] = BasketKey.CheckedAt,
        ["created_at"] = BasketKey.CreatedAt, ["updated_at"] = BasketKey.UpdatedAt, ["deleted_at"] = BasketKey.DeletedAt,
        ["refunded_at"] = BasketKey.RefundedAt, ["refunded_amount"] = BasketKey.RefundedAmount, ["seat_id"] = BasketKey.SeatId,
        ["seat_name"] = BasketKey.SeatName, ["client_email"] = BasketKey.ClientEmail, ["client_phone"] = BasketKey.ClientPhone,
        ["client_name"] = BasketKey.ClientName, ["client_surname"] = BasketKey.ClientSurname,
        ["client_middlename"] = BasketKey.ClientMiddlename,
    };

    /// <summary>The payload's shape of a basket: what <see cref="ReadBasket"/> is given when baskets are kept.</summary>
    static readonly PersonalData.Shape s_basketShape = PersonalData.PayloadKeys.Keys["baskets"];

    /// <summary>
    /// Every key an order (a basket) is read or kept for, with both answers, so that a key costs one lookup: its
    /// field (-1: none) and its shape in the payload (null: not kept).
    /// </summary>
    static readonly Utf8KeyTable<(int Field, PersonalData.Shape? Kept)> s_orderMembers = Members(s_orderKeys, PersonalData.PayloadKeys);
    static readonly Utf8KeyTable<(int Field, PersonalData.Shape? Kept)> s_basketMembers = Members(s_basketKeys, s_basketShape);

    // The personal keys are listed too (neither read nor kept), so that every served key has a slot to be predicted from.
    static Utf8KeyTable<(int, PersonalData.Shape?)> Members<TField>(Dictionary<string, TField> fields, PersonalData.Shape kept)
        where TField : struct, Enum =>
        new(fields.Keys.Union(kept.Keys.Keys).Union(PersonalData.Keys).Select(key => KeyValuePair.Create(key,
            (fields.TryGetValue(key, out var field) ? Convert.ToInt32(field, CultureInfo.InvariantCulture) : -1,
             kept.Keys.TryGetValue(key, out var shape) ? shape : null))));

    static readonly string[] s_utmKeys = ["utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term"];
    static readonly Utf8KeyTable<int> s_utmIndex = new(s_utmKeys.Select((k, i) => KeyValuePair.Create(k, i)));

    // Pages saved by hand may carry comments and trailing commas (OrderJsonReader allows them).
    static readonly JsonReaderOptions s_options = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    readonly ArrayBufferWriter<byte> _payload = new(16 * 1024);
    /// <summary>The run of members kept as served, not yet copied: from the first one's name to the last one's value; -1: none.</summary>
    int _runStart = -1, _runEnd;
    /// <summary>The run's strings with letters, by where they are served (quotes included), noted when the run is copied.</summary>
    readonly List<(int Start, int End)> _runTexts = new();
    readonly PayloadWriter _writer;
    readonly ArrayBufferWriter<byte> _renamed = new(16 * 1024);
    readonly Utf8JsonWriter _textWriter;
    byte[] _unescapedName = new byte[64];

    readonly string?[] _orderProblems = new string?[OrderProblemSlots];
    readonly string?[] _basketProblems = new string?[BasketProblemSlots];
    /// <summary>The order of the baskets' keys, learnt: a page's baskets are all served with their keys in one order.</summary>
    readonly int[] _basketKeys = s_basketMembers.NewSequence();
    /// <summary>
    /// Kept texts that could quote a name: where the payload holds them, and the text written (null: the served bytes
    /// at <c>Source</c>, written as they were).
    /// </summary>
    readonly List<(int Start, int End, int Source, int Length, string? Text)> _maskedTexts = new();
    /// <summary>
    /// This order's strings that came escaped, unescaped as UTF-8 (PHP escapes every non-ASCII character and every
    /// slash, so every Cyrillic text does): looked at and written as bytes, like the served ones, without a string.
    /// A source below 0 (<see cref="Served"/>) is the complement of an offset in here.
    /// </summary>
    byte[] _text = new byte[4096];
    int _textUsed;
    (long At, int Source, int Length) _lastUnescaped;
    /// <summary>Where the last timestamp the model read in the served form was: kept, it is known to go as served.</summary>
    long _servedTimeAt;
    char[] _chars = new char[256];
    readonly Utf8StringCache _repeated = new();
    /// <summary>Name values (strings only) in the order names are masked: buyer's name, surname, middle name, then each holder's.</summary>
    readonly NameValue[] _buyerNames = new NameValue[3];
    readonly List<NameValue> _holderNames = new();
    readonly OrderNames _names = new();
    readonly string?[] _utm = new string?[5];

    List<Basket>? _baskets;
    readonly List<string> _ticketProblems = new();
    bool _utmIsObject, _clientIsObject, _detailsIsObject, _personal;
    string? _clientEmail, _clientPhone, _cardNumber, _buyerName, _buyerMiddlename, _buyerSurname;

    OrderReader()
    {
        _writer = new PayloadWriter(_payload);
        _textWriter = new Utf8JsonWriter(_renamed, PersonalData.PayloadWriting);
    }

    Order ReadOrder(ReadOnlySpan<byte> json, ref Utf8JsonReader r, bool includePersonalData)
    {
        if (r.TokenType != JsonTokenType.StartObject)
            throw new OrderShapeException($"an order is {Kind(r.TokenType)}, not an object");
        _personal = includePersonalData;
        Array.Clear(_orderProblems);
        _orderProblems[(int)OrderKey.Id] = Missing("id");
        _orderProblems[(int)OrderKey.Payed] = Missing("payed");
        _maskedTexts.Clear();
        _textUsed = 0;
        _lastUnescaped = (-1, 0, 0);
        _servedTimeAt = -1;
        Array.Clear(_buyerNames);
        _holderNames.Clear();
        _ticketProblems.Clear();
        _baskets = null;
        _utmIsObject = _clientIsObject = _detailsIsObject = false;
        _clientEmail = _clientPhone = _cardNumber = _buyerName = _buyerMiddlename = _buyerSurname = null;
        _writer.Reset();
        _runStart = -1;
        _runTexts.Clear();

        var order = new Order();
        _writer.WriteStartObject();
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var at = (int)r.TokenStartIndex;
            var name = Name(ref r);
            var known = s_orderMembers.TryGet(name, out var member) && member.Field >= 0;
            var key = (OrderKey)member.Field;
            var kept = member.Kept;
            r.Read();
            if (known)
            {
                switch (key)
                {
                    case OrderKey.Client: ReadClient(json, ref r, Named(json, kept, name)); continue;
                    case OrderKey.Utm: ReadUtm(json, ref r, Named(json, kept, name)); continue;
                    case OrderKey.Baskets: ReadBaskets(json, ref r, Named(json, kept, name), includePersonalData); continue;
                    default: ReadOrderValue(ref r, key, order); break;
                }
            }
            Member(json, ref r, at, name, kept);
        }
        EndObject(json);

        _names.Clear();
        foreach (var value in _buyerNames) AddName(json, value);
        foreach (var value in _holderNames) AddName(json, value);
        order.PayloadUtf8 = new Utf8Json(Payload(json));
        if (_utmIsObject)
            order.Utm = new UtmTags(Tag(0), Tag(1), Tag(2), Tag(3), Tag(4));
        if (_baskets is not null)
        {
            foreach (var basket in _baskets) basket.OrderId = order.Id;
            order.Baskets = _baskets;
        }
        if (includePersonalData && _clientIsObject)
        {
            order.ClientEmail = _clientEmail;
            if (_detailsIsObject)
            {
                order.ClientPhone = _clientPhone;
                order.ClientName = FullName(_buyerName, _buyerMiddlename, _buyerSurname);
            }
            order.PaymentCardNumber = _cardNumber;
        }
        if (Array.Exists(_orderProblems, p => p is not null) || _ticketProblems.Count > 0)
            order.Problems = _orderProblems.Where(p => p is not null).Select(p => p!).Concat(_ticketProblems).ToList();
        return order;
    }

    // Tags are free text from a link anyone can write, stored in their own columns: masked like the payload.
    string Tag(int index) => _names.Mask(PersonalData.MaskText((_utm[index] ?? "").Trim()));

    /// <summary>
    /// A name value (a string) where the reader saw it (<see cref="Served"/>); names are only looked at as chars, and
    /// are strings only in the rare order whose texts quote one.
    /// </summary>
    readonly record struct NameValue(int Source, int Length);

    NameValue NameOf(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.String) return default;
        var length = Unescaped(ref r, out var source).Length;
        return new NameValue(source, length);
    }

    void AddName(ReadOnlySpan<byte> json, NameValue value)
    {
        if (value.Length == 0) return;
        _names.Add(ServedChars(json, value.Source, value.Length));
    }

    /// <summary>A string noted by <see cref="Unescaped"/> as chars, in a buffer the next call reuses: looked at without a string.</summary>
    ReadOnlySpan<char> ServedChars(ReadOnlySpan<byte> json, int source, int length)
    {
        // A UTF-8 text has no more chars than bytes.
        if (_chars.Length < length) _chars = new char[length];
        return _chars.AsSpan(0, Encoding.UTF8.GetChars(Served(json, source, length), _chars));
    }

    /// <summary>
    /// The string at the reader, unescaped: its served bytes, or (escaped) a copy in <see cref="_text"/>; where it is, for
    /// <see cref="Served"/>.
    /// </summary>
    ReadOnlySpan<byte> Unescaped(ref Utf8JsonReader r, out int source)
    {
        if (!r.ValueIsEscaped)
        {
            source = (int)r.TokenStartIndex + 1;
            return r.ValueSpan;
        }
        // A value read for the model and then kept (seat names) is unescaped once.
        if (_lastUnescaped.At == r.TokenStartIndex && _lastUnescaped.Source < 0)
        {
            source = _lastUnescaped.Source;
            return _text.AsSpan(~source, _lastUnescaped.Length);
        }
        // Unescaped, a string is never longer than served.
        var into = TextRoom(r.ValueSpan.Length);
        if (!PhpUnescaped(r.ValueSpan, into, out var length)) length = r.CopyString(into);
        return NoteUnescaped(ref r, length, out source);
    }

    /// <summary>Room for <paramref name="length"/> bytes at the end of <see cref="_text"/>.</summary>
    Span<byte> TextRoom(int length)
    {
        if (_text.Length - _textUsed < length) Array.Resize(ref _text, Math.Max(_text.Length * 2, _textUsed + length));
        return _text.AsSpan(_textUsed);
    }

    /// <summary>The string at the reader, unescaped into the room at the end of <see cref="_text"/>: noted as its unescaped bytes.</summary>
    ReadOnlySpan<byte> NoteUnescaped(ref Utf8JsonReader r, int length, out int source)
    {
        source = ~_textUsed;
        _textUsed += length;
        _lastUnescaped = (r.TokenStartIndex, source, length);
        return _text.AsSpan(~source, length);
    }

    /// <summary>
    /// A string's served bytes unescaped, for what PHP escapes (every non-ASCII character as <c>\uXXXX</c>, every slash):
    /// the reader's own unescaping goes escape by escape through a general parse, and every Cyrillic text takes it.
    /// False for anything else (surrogate pairs, bytes that are not UTF-8), which the reader's CopyString unescapes, or
    /// refuses with its own error.
    /// </summary>
    internal static bool PhpUnescaped(ReadOnlySpan<byte> served, Span<byte> into, out int length)
    {
        length = 0;
        var w = 0;
        for (var i = 0; i < served.Length;)
        {
            var b = served[i];
            if (b != '\\')
            {
                into[w++] = b;
                i++;
                continue;
            }
            if (i + 1 >= served.Length) return false;
            switch (served[i + 1])
            {
                case (byte)'u':
                    if (i + 6 > served.Length) return false;
                    var c = HexDigits[served[i + 2]] << 12 | HexDigits[served[i + 3]] << 8 | HexDigits[served[i + 4]] << 4 | HexDigits[served[i + 5]];
                    if (c < 0 || c is >= 0xD800 and <= 0xDFFF) return false;
                    if (c < 0x80) into[w++] = (byte)c;
                    else if (c < 0x800)
                    {
                        into[w++] = (byte)(0xC0 | c >> 6);
                        into[w++] = (byte)(0x80 | (c & 0x3F));
                    }
                    else
                    {
                        into[w++] = (byte)(0xE0 | c >> 12);
                        into[w++] = (byte)(0x80 | ((c >> 6) & 0x3F));
                        into[w++] = (byte)(0x80 | (c & 0x3F));
                    }
                    i += 6;
                    continue;
                case (byte)'/' or (byte)'\\' or (byte)'"': into[w++] = served[i + 1]; break;
                case (byte)'n': into[w++] = (byte)'\n'; break;
                case (byte)'t': into[w++] = (byte)'\t'; break;
                case (byte)'r': into[w++] = (byte)'\r'; break;
                case (byte)'b': into[w++] = (byte)'\b'; break;
                case (byte)'f': into[w++] = (byte)'\f'; break;
                default: return false;
            }
            i += 2;
        }
        if (!System.Text.Unicode.Utf8.IsValid(into[..w])) return false;
        length = w;
        return true;
    }

    /// <summary>Each byte's value as a hex digit; -1 for any other byte (so is any value it is shifted and or-ed into).</summary>
    static ReadOnlySpan<int> HexDigits =>
    [
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, -1, -1, -1, -1, -1, -1,
        -1, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    ];

    /// <summary>A string noted by <see cref="Unescaped"/>: in the served bytes (source from 0), or in <see cref="_text"/>.</summary>
    ReadOnlySpan<byte> Served(ReadOnlySpan<byte> json, int source, int length) =>
        source >= 0 ? json.Slice(source, length) : _text.AsSpan(~source, length);

    void ReadOrderValue(ref Utf8JsonReader r, OrderKey key, Order order)
    {
        switch (key)
        {
            case OrderKey.Id:
                _orderProblems[(int)key] = Id(ref r, "id", required: true, out var id);
                order.Id = id;
                order.SourceId = r.TokenType switch
                {
                    JsonTokenType.String => QTicketsJson.Cut(r.GetString()!),
                    JsonTokenType.Number => QTicketsJson.Cut(Encoding.UTF8.GetString(r.ValueSpan)),
                    _ => "",
                };
                break;
            case OrderKey.Payed:
                _orderProblems[(int)key] = Flag(ref r, "payed", out var payed);
                order.Payed = payed;
                break;
            case OrderKey.PayedAt:
                _orderProblems[(int)key] = Time(ref r, "payed_at", out var payedAt);
                order.PayedAt = payedAt;
                break;
            case OrderKey.EventId:
                _orderProblems[(int)key] = Id(ref r, "event_id", required: false, out var eventId);
                order.EventId = eventId;
                break;
            case OrderKey.Price:
                _orderProblems[(int)key] = Money(ref r, "price", required: false, out var price);
                order.Price = price ?? 0m;
                break;
            case OrderKey.OriginalPrice:
                _orderProblems[(int)key] = Money(ref r, "original_price", required: false, out var originalPrice);
                order.OriginalPrice = originalPrice ?? 0m;
                break;
            case OrderKey.ReservedTo:
                _orderProblems[(int)key] = Time(ref r, "reserved_to", out var reservedTo);
                order.ReservedTo = reservedTo;
                break;
            case OrderKey.CreatedAt:
                _orderProblems[(int)key] = Time(ref r, "created_at", out var createdAt);
                order.CreatedAt = createdAt ?? default;
                break;
            case OrderKey.UpdatedAt:
                _orderProblems[(int)key] = Time(ref r, "updated_at", out var updatedAt);
                order.UpdatedAt = updatedAt ?? default;
                break;
            case OrderKey.DeletedAt:
                _orderProblems[(int)key] = Time(ref r, "deleted_at", out var deletedAt);
                order.DeletedAt = deletedAt;
                break;
            case OrderKey.ClientId: order.ClientId = Int64(ref r) ?? 0; break;
            case OrderKey.CurrencyId: order.CurrencyId = RepeatedText(ref r) ?? ""; break;
            case OrderKey.PaymentTypeId: order.PaymentTypeId = RepeatedText(ref r) ?? ""; break;
            case OrderKey.DiscountId: order.DiscountId = Int64(ref r); break;
            case OrderKey.PromoCodeId: order.PromoCodeId = Int64(ref r); break;
            case OrderKey.Reserved: order.Reserved = Bool(ref r); break;
            case OrderKey.PaymentCardNumber: _cardNumber = _personal ? Text(ref r) : null; break;
        }
    }

    /// <summary>The buyer: read for the names to mask (and their contacts when asked for); never in the payload.</summary>
    void ReadClient(ReadOnlySpan<byte> json, ref Utf8JsonReader r, PersonalData.Shape? kept)
    {
        _clientIsObject = _detailsIsObject = false;
        _clientEmail = _clientPhone = _buyerName = _buyerMiddlename = _buyerSurname = null;
        Array.Clear(_buyerNames);
        if (r.TokenType != JsonTokenType.StartObject)
        {
            WriteOrSkip(json, ref r, kept);
            return;
        }
        _clientIsObject = true;
        if (kept is not null) _writer.WriteStartObject();
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var at = (int)r.TokenStartIndex;
            var name = Name(ref r);
            var child = Child(kept, name);
            var isEmail = name.SequenceEqual("email"u8);
            var isDetails = !isEmail && name.SequenceEqual("details"u8);
            r.Read();
            if (isEmail && _personal) _clientEmail = Text(ref r);
            if (isDetails) ReadDetails(json, ref r, Named(json, child, name));
            else Member(json, ref r, at, name, child);
        }
        if (kept is not null) EndObject(json);
    }

    void ReadDetails(ReadOnlySpan<byte> json, ref Utf8JsonReader r, PersonalData.Shape? kept)
    {
        _detailsIsObject = false;
        _clientPhone = _buyerName = _buyerMiddlename = _buyerSurname = null;
        Array.Clear(_buyerNames);
        if (r.TokenType != JsonTokenType.StartObject)
        {
            WriteOrSkip(json, ref r, kept);
            return;
        }
        _detailsIsObject = true;
        if (kept is not null) _writer.WriteStartObject();
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var at = (int)r.TokenStartIndex;
            var name = Name(ref r);
            var child = Child(kept, name);
            var which = name.SequenceEqual("name"u8) ? 0 : name.SequenceEqual("surname"u8) ? 1 : name.SequenceEqual("middlename"u8) ? 2
                : name.SequenceEqual("phone"u8) ? 3 : -1;
            r.Read();
            if (which == 3 && _personal) _clientPhone = Text(ref r);
            else if (which is >= 0 and < 3)
            {
                var text = _personal ? Text(ref r) : null;
                switch (which)
                {
                    case 0: _buyerName = text; break;
                    case 1: _buyerSurname = text; break;
                    default: _buyerMiddlename = text; break;
                }
                _buyerNames[which] = NameOf(ref r);
            }
            Member(json, ref r, at, name, child);
        }
        if (kept is not null) EndObject(json);
    }

    void ReadUtm(ReadOnlySpan<byte> json, ref Utf8JsonReader r, PersonalData.Shape? kept)
    {
        // `[]` when the order has no tags (PHP's empty array); an object otherwise.
        _utmIsObject = r.TokenType == JsonTokenType.StartObject;
        Array.Clear(_utm);
        if (!_utmIsObject)
        {
            WriteOrSkip(json, ref r, kept);
            return;
        }
        if (kept is not null) _writer.WriteStartObject();
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var at = (int)r.TokenStartIndex;
            var name = Name(ref r);
            var child = Child(kept, name);
            var tag = s_utmIndex.TryGet(name, out var index) ? index : -1;
            r.Read();
            if (tag >= 0) _utm[tag] = Text(ref r);
            Member(json, ref r, at, name, child);
        }
        if (kept is not null) EndObject(json);
    }

    void ReadBaskets(ReadOnlySpan<byte> json, ref Utf8JsonReader r, PersonalData.Shape? kept, bool includePersonalData)
    {
        _baskets = [];
        _ticketProblems.Clear();
        _holderNames.Clear();
        if (r.TokenType != JsonTokenType.StartArray)
        {
            WriteOrSkip(json, ref r, kept);
            return;
        }
        if (kept is not null) _writer.WriteStartArray();
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (r.TokenType != JsonTokenType.StartObject)
                throw new OrderShapeException($"a basket is {Kind(r.TokenType)}, not an object");
            _baskets.Add(ReadBasket(json, ref r, kept, includePersonalData));
        }
        if (kept is not null) _writer.WriteEndArray();
    }

    Basket ReadBasket(ReadOnlySpan<byte> json, ref Utf8JsonReader r, PersonalData.Shape? kept, bool includePersonalData)
    {
        var problems = _basketProblems;
        Array.Clear(problems);
        problems[(int)BasketKey.Id] = Missing("id");
        problems[(int)BasketKey.ShowId] = Missing("show_id");
        problems[(int)BasketKey.Price] = Missing("price");
        problems[(int)BasketKey.Quantity] = Missing("quantity");
        string? email = null, phone = null, name = null, surname = null, middlename = null;
        NameValue nameValue = default, surnameValue = default, middlenameValue = default;
        var basket = new Basket { Quantity = 0 };
        var previous = -1;
        if (kept is not null) _writer.WriteStartObject();
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var at = (int)r.TokenStartIndex;
            var key = Name(ref r);
            // Baskets are kept with their shape or not at all.
            var known = s_basketMembers.TryGetPredicted(key, ref previous, _basketKeys, out var member) && member.Field >= 0;
            var field = (BasketKey)member.Field;
            var child = kept is null ? null : member.Kept;
            r.Read();
            if (known)
            {
                var slot = (int)field;
                switch (field)
                {
                    case BasketKey.Id: problems[slot] = Id(ref r, "id", required: true, out var id); basket.Id = id; break;
                    case BasketKey.ShowId: problems[slot] = Id(ref r, "show_id", required: true, out var showId); basket.ShowId = showId; break;
                    case BasketKey.OriginalPrice:
                        problems[slot] = Money(ref r, "original_price", required: false, out var originalPrice);
                        basket.OriginalPrice = originalPrice ?? 0m;
                        break;
                    case BasketKey.DiscountValue:
                        problems[slot] = Money(ref r, "discount_value", required: false, out var discount);
                        basket.DiscountValue = discount;
                        break;
                    case BasketKey.Price:
                        problems[slot] = Money(ref r, "price", required: true, out var price);
                        basket.Price = price ?? 0m;
                        break;
                    case BasketKey.TicketAmount:
                        problems[slot] = Money(ref r, "ticket_amount", required: false, out var ticketAmount);
                        basket.TicketAmount = ticketAmount ?? 0m;
                        break;
                    case BasketKey.ServiceFeeAmount:
                        problems[slot] = Money(ref r, "service_fee_amount", required: false, out var fee);
                        basket.ServiceFeeAmount = fee ?? 0m;
                        break;
                    case BasketKey.Quantity: problems[slot] = Quantity(ref r, out var quantity); basket.Quantity = quantity; break;
                    case BasketKey.CheckedAt: problems[slot] = Time(ref r, "checked_at", out var checkedAt); basket.CheckedAt = checkedAt; break;
                    case BasketKey.CreatedAt: problems[slot] = Time(ref r, "created_at", out var createdAt); basket.CreatedAt = createdAt ?? default; break;
                    case BasketKey.UpdatedAt: problems[slot] = Time(ref r, "updated_at", out var updatedAt); basket.UpdatedAt = updatedAt ?? default; break;
                    case BasketKey.DeletedAt: problems[slot] = Time(ref r, "deleted_at", out var deletedAt); basket.DeletedAt = deletedAt; break;
                    case BasketKey.RefundedAt: problems[slot] = Time(ref r, "refunded_at", out var refundedAt); basket.RefundedAt = refundedAt; break;
                    case BasketKey.RefundedAmount:
                        problems[slot] = Money(ref r, "refunded_amount", required: false, out var refunded);
                        basket.RefundedAmount = refunded;
                        break;
                    case BasketKey.SeatId: basket.SeatId = RepeatedText(ref r) ?? ""; break;
                    case BasketKey.SeatName: basket.SeatName = RepeatedText(ref r) ?? ""; break;
                    case BasketKey.ClientEmail: email = includePersonalData ? Text(ref r) : null; break;
                    case BasketKey.ClientPhone: phone = includePersonalData ? Text(ref r) : null; break;
                    case BasketKey.ClientName:
                        name = includePersonalData ? Text(ref r) : null;
                        nameValue = NameOf(ref r);
                        break;
                    case BasketKey.ClientSurname:
                        surname = includePersonalData ? Text(ref r) : null;
                        surnameValue = NameOf(ref r);
                        break;
                    case BasketKey.ClientMiddlename:
                        middlename = includePersonalData ? Text(ref r) : null;
                        middlenameValue = NameOf(ref r);
                        break;
                }
            }
            Member(json, ref r, at, key, child);
        }
        if (kept is not null) EndObject(json);

        // Each problem names the basket, so the order's rejection says which ticket carried the bad value.
        string Which() => basket.Id > 0 ? $"basket {basket.Id.ToString(CultureInfo.InvariantCulture)}" : "a basket";
        foreach (var problem in problems)
            if (problem is not null) _ticketProblems.Add($"{Which()}: {problem}");
        // A refund without its amount would count as a refund of 0: the ticket stays live with its full price.
        if (basket.RefundedAt is not null && basket.RefundedAmount is null && problems[(int)BasketKey.RefundedAmount] is null)
            _ticketProblems.Add($"{Which()}: refunded_amount is missing although refunded_at is set");
        if (includePersonalData)
        {
            basket.HolderEmail = email;
            basket.HolderPhone = phone;
            basket.HolderName = FullName(name, middlename, surname);
        }
        _holderNames.Add(nameValue);
        _holderNames.Add(surnameValue);
        _holderNames.Add(middlenameValue);
        return basket;
    }

    // ---------------------------------------------------------------- the payload

    /// <summary>The shape under a key of a kept object; null when the key is not kept.</summary>
    static PersonalData.Shape? Child(PersonalData.Shape? kept, ReadOnlySpan<byte> name) =>
        kept is not null && kept.TryGet(name, out var child) ? child : null;

    /// <summary>The shape under a kept key, its name written (the value follows); null when the key is not kept.</summary>
    PersonalData.Shape? Named(ReadOnlySpan<byte> json, PersonalData.Shape? kept, ReadOnlySpan<byte> name)
    {
        if (kept is null) return null;
        Flush(json);
        _writer.WritePropertyName(name);
        return kept;
    }

    /// <summary>
    /// A member of an object being written, the reader on its value: not kept, skipped; kept and as it would be written
    /// (<see cref="AsServed"/>), its served bytes joined to the run of such members before it, copied in one go when the
    /// run ends; anything else written token by token. An order is mostly such members, and copying them costs a
    /// fraction of writing each.
    /// </summary>
    void Member(ReadOnlySpan<byte> json, ref Utf8JsonReader r, int nameStart, scoped ReadOnlySpan<byte> name, PersonalData.Shape? kept)
    {
        // Most members are scalars: neither a skip nor AsServed is called for them (half the keys of an order).
        var scalar = r.TokenType is JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null;
        if (kept is null)
        {
            if (r.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) r.Skip();
            return;
        }
        var noted = false;
        // Compact as served (no white space around the colon, an unescaped name): the served bytes are the written ones.
        if (r.TokenStartIndex == nameStart + name.Length + 3 && (scalar || AsServed(json, ref r, out noted)))
        {
            // A run goes on only over the comma that separates two members.
            if (_runStart >= 0 && nameStart != _runEnd + 1) Flush(json);
            if (_runStart < 0) _runStart = nameStart;
            _runEnd = (int)r.BytesConsumed;
            if (noted) _runTexts.Add(((int)r.TokenStartIndex, _runEnd));
            return;
        }
        Flush(json);
        _writer.WritePropertyName(name);
        WriteValue(json, ref r, kept);
    }

    /// <summary>
    /// A value the payload keeps exactly as served, the reader left on its last token: a number, true, false, null, an
    /// empty list or object, or a string served unescaped that
    /// <see cref="WriteText"/> would write as it came (a timestamp in the served form, or printable ASCII without an
    /// e-mail or a phone number, which <see cref="PersonalData.PayloadWriting"/>'s encoder leaves as it is).
    /// </summary>
    /// <param name="noted">It has letters: a name found later may be in it (<see cref="_maskedTexts"/>).</param>
    bool AsServed(ReadOnlySpan<byte> json, ref Utf8JsonReader r, out bool noted)
    {
        noted = false;
        switch (r.TokenType)
        {
            case JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null:
                return true;
            case JsonTokenType.StartArray or JsonTokenType.StartObject:
            {
                // PHP's empty lists (refunds, services, related baskets): written [] or {} whatever the shape. Seen in
                // the bytes: a copy of the reader to look ahead costs more than the list (the reader checks the end).
                var at = (int)r.TokenStartIndex + 1;
                if (at >= json.Length || json[at] != (r.TokenType == JsonTokenType.StartArray ? (byte)']' : (byte)'}'))
                    return false;
                r.Read();
                return true;
            }
            case not JsonTokenType.String:
                return false;
        }
        if (r.ValueIsEscaped) return false;
        var raw = r.ValueSpan;
        if (r.TokenStartIndex == _servedTimeAt || QTicketsJson.IsServedForm(raw)) return true;
        // The checks WriteText makes: printable ASCII is what the encoder leaves as it is (unescaped, a string holds no
        // '"' or '\', and the reader refuses control characters in it).
        if (raw.ContainsAnyExceptInRange((byte)0x20, (byte)0x7E) || !PersonalData.NoPatternIn(raw)) return false;
        noted = PersonalData.MayHoldName(raw);
        return true;
    }

    /// <summary>The run of members kept as served, copied into the payload, and its noted texts where the copy put them.</summary>
    void Flush(ReadOnlySpan<byte> json)
    {
        if (_runStart < 0) return;
        var shift = _writer.WriteMembers(json[_runStart.._runEnd]) - _runStart;
        foreach (var (start, end) in _runTexts)
            _maskedTexts.Add((start + shift, end + shift, start + 1, end - start - 2, null));
        _runTexts.Clear();
        _runStart = -1;
    }

    void EndObject(ReadOnlySpan<byte> json)
    {
        Flush(json);
        _writer.WriteEndObject();
    }

    /// <summary>The value under a kept key written with its shape (the key is written already); under any other skipped.</summary>
    void WriteOrSkip(ReadOnlySpan<byte> json, ref Utf8JsonReader r, PersonalData.Shape? kept)
    {
        if (kept is not null) WriteValue(json, ref r, kept);
        else r.Skip();
    }

    /// <summary>
    /// Which keys an object keeps is its shape's; an array applies its shape to every item; a scalar is kept, a string
    /// masked (<see cref="PersonalData.MaskText"/>).
    /// </summary>
    void WriteValue(ReadOnlySpan<byte> json, ref Utf8JsonReader r, PersonalData.Shape shape)
    {
        switch (r.TokenType)
        {
            case JsonTokenType.StartObject:
                _writer.WriteStartObject();
                while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
                {
                    var at = (int)r.TokenStartIndex;
                    var name = Name(ref r);
                    var child = Child(shape, name);
                    r.Read();
                    Member(json, ref r, at, name, child);
                }
                EndObject(json);
                break;
            case JsonTokenType.StartArray:
                _writer.WriteStartArray();
                while (r.Read() && r.TokenType != JsonTokenType.EndArray) WriteValue(json, ref r, shape);
                _writer.WriteEndArray();
                break;
            case JsonTokenType.String:
                WriteText(ref r);
                break;
            case JsonTokenType.Number:
                _writer.WriteNumberValue(r.ValueSpan);
                break;
            case JsonTokenType.True: _writer.WriteBooleanValue(true); break;
            case JsonTokenType.False: _writer.WriteBooleanValue(false); break;
            default: _writer.WriteNullValue(); break;
        }
    }

    /// <summary>
    /// A kept string: timestamps in the served form go as they are; so does any value without an e-mail, a phone number
    /// or quoted JSON (most of them: codes, seats, hosts), noted for the names found later if it has letters; any other
    /// is masked, and noted.
    /// </summary>
    void WriteText(ref Utf8JsonReader r)
    {
        var raw = Unescaped(ref r, out var source);
        if (QTicketsJson.IsServedForm(raw))
        {
            // Digits and one letter: no name (two letters or more) can be in it.
            _writer.WriteStringValue(raw);
            return;
        }
        if (PersonalData.NoPatternIn(raw))
        {
            var at = _writer.WriteStringValue(raw);
            if (PersonalData.MayHoldName(raw)) _maskedTexts.Add((at, _writer.Position, source, raw.Length, null));
            return;
        }
        var text = PersonalData.MaskText(r.GetString()!);
        var start = _writer.WriteStringValue(text);
        _maskedTexts.Add((start, _writer.Position, 0, 0, text));
    }

    /// <summary>The payload's bytes, with the noted texts that quote one of <see cref="_names"/> rewritten masked.</summary>
    byte[] Payload(ReadOnlySpan<byte> json)
    {
        var written = _payload.WrittenSpan;
        if (_names.Count == 0 || !AnyNameInNotedTexts(json)) return Copy(written);
        _renamed.ResetWrittenCount();
        var from = 0;
        foreach (var (start, end, source, length, kept) in _maskedTexts)
        {
            var text = kept;
            if (text is null)
            {
                var chars = ServedChars(json, source, length);
                if (!_names.AnyIn(chars)) continue;
                text = new string(chars);
            }
            var masked = _names.Mask(text);
            if (string.Equals(masked, text, StringComparison.Ordinal)) continue;
            _renamed.Write(written[from..start]);
            _textWriter.Reset(_renamed);
            _textWriter.WriteStringValue(masked);
            _textWriter.Flush();
            from = end;
        }
        if (from == 0) return Copy(written);
        _renamed.Write(written[from..]);
        return Copy(_renamed.WrittenSpan);
    }

    /// <summary>
    /// Whether any name is in the noted texts, all looked at in one search: nearly always none is, and a search of each
    /// text for each name cost more than reading the texts. The texts are joined by a NUL, which a name part holds only
    /// in a broken answer (then the texts are searched one by one, as when a name is found).
    /// </summary>
    bool AnyNameInNotedTexts(ReadOnlySpan<byte> json)
    {
        var used = 0;
        foreach (var (_, _, source, length, kept) in _maskedTexts)
        {
            // A UTF-8 text has no more chars than bytes.
            var most = (kept?.Length ?? length) + 1;
            if (_chars.Length < used + most) Array.Resize(ref _chars, Math.Max(_chars.Length * 2, used + most));
            used += kept is null ? Encoding.UTF8.GetChars(Served(json, source, length), _chars.AsSpan(used)) : Copied(kept, used);
            _chars[used++] = '\0';
        }
        return _names.AnyIn(_chars.AsSpan(0, used));

        int Copied(string text, int at)
        {
            text.CopyTo(_chars.AsSpan(at));
            return text.Length;
        }
    }

    /// <summary>The payload's own array, not zeroed first: it is overwritten at once, and payloads run to kilobytes.</summary>
    static byte[] Copy(ReadOnlySpan<byte> payload)
    {
        var copy = GC.AllocateUninitializedArray<byte>(payload.Length);
        payload.CopyTo(copy);
        return copy;
    }

    /// <summary>A property name unescaped (names are looked up and written unescaped; escaped ones are never served).</summary>
    ReadOnlySpan<byte> Name(ref Utf8JsonReader r)
    {
        if (!r.ValueIsEscaped) return r.ValueSpan;
        if (_unescapedName.Length < r.ValueSpan.Length) _unescapedName = new byte[r.ValueSpan.Length];
        return _unescapedName.AsSpan(0, r.CopyString(_unescapedName));
    }

    // ---------------------------------------------------------------- values, each read where the reader stands

    static string Missing(string name) => name switch
    {
        // The required fields' messages, made once: every order and ticket starts with them pending.
        "id" => "the order has no id",
        "payed" => "payed is missing",
        "show_id" => "show_id is missing",
        "price" => "price is missing",
        "quantity" => "quantity is missing",
        _ => $"{name} is missing",
    };

    /// <summary>A positive whole number (JSON integer or digit string). Null: a problem when required.</summary>
    static string? Id(ref Utf8JsonReader r, string name, bool required, out long value)
    {
        value = 0;
        if (r.TokenType == JsonTokenType.Null) return required ? Missing(name) : null;
        if (WholeNumber(ref r) is { } n && n > 0)
        {
            value = n;
            return null;
        }
        return $"{name} {Quote(ref r)} is not a positive whole number";
    }

    /// <summary>An amount of money (whole kopecks). Null: none, or a problem when required.</summary>
    static string? Money(ref Utf8JsonReader r, string name, bool required, out decimal? value)
    {
        value = null;
        if (r.TokenType == JsonTokenType.Null) return required ? Missing(name) : null;
        if (r.TokenType == JsonTokenType.Number && WholeAmount(r.ValueSpan, out var whole))
        {
            // Whole roubles: nothing to round.
            value = whole;
            return null;
        }
        var d = 0m;
        var read = r.TokenType switch
        {
            JsonTokenType.Number => r.TryGetDecimal(out d),
            JsonTokenType.String => r.GetString() is { } s && QTicketsJson.IsPlainDecimal(s) &&
                                    decimal.TryParse(s, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out d),
            _ => false,
        };
        if (!read) return $"{name} {Quote(ref r)} is not an amount of money";
        if (decimal.Round(d, 2) != d) return $"{name} {Quote(ref r)} is not a whole number of kopecks";
        value = d;
        return null;
    }

    /// <summary>
    /// An amount served as a JSON integer (nearly all are: PHP sends whole roubles as 390), without the general decimal
    /// parse, which cost more than reading the rest of the number's token; any other form is left to the reader.
    /// </summary>
    static bool WholeAmount(ReadOnlySpan<byte> raw, out decimal value)
    {
        value = 0m;
        var digits = raw.Length > 0 && raw[0] == '-' ? raw[1..] : raw;
        if (digits.Length is 0 or > 18 || digits.ContainsAnyExceptInRange((byte)'0', (byte)'9')) return false;
        long n = 0;
        foreach (var b in digits) n = n * 10 + (b - '0');
        value = digits.Length == raw.Length ? n : -n;
        return true;
    }

    /// <summary>A ticket count: a whole number from 0 (JSON integer or digit string). Null is a problem.</summary>
    static string? Quantity(ref Utf8JsonReader r, out int value)
    {
        value = 0;
        if (r.TokenType == JsonTokenType.Null) return Missing("quantity");
        if (WholeNumber(ref r) is { } n && n is >= 0 and <= int.MaxValue)
        {
            value = (int)n;
            return null;
        }
        return $"quantity {Quote(ref r)} is not a whole number of tickets";
    }

    /// <summary>payed: true/false, 1/0 or their strings. Null or anything else is a problem.</summary>
    static string? Flag(ref Utf8JsonReader r, string name, out bool value)
    {
        value = false;
        switch (r.TokenType)
        {
            case JsonTokenType.Null: return Missing(name);
            case JsonTokenType.True: value = true; return null;
            case JsonTokenType.False: return null;
            case JsonTokenType.Number when r.TryGetInt64(out var n) && n is 0 or 1: value = n == 1; return null;
            case JsonTokenType.String:
                var text = r.GetString();
                if (text is not ("0" or "1" or "true" or "false")) break;
                value = text is "1" or "true";
                return null;
        }
        return $"{name} {Quote(ref r)} is not true or false";
    }

    /// <summary>A timestamp: the served form read from the bytes, any other ISO-8601 form with an offset; not a string: none.</summary>
    string? Time(ref Utf8JsonReader r, string name, out DateTimeOffset? value)
    {
        value = null;
        if (r.TokenType != JsonTokenType.String) return null;
        if (!r.ValueIsEscaped && QTicketsJson.TryServedForm(r.ValueSpan, out var served))
        {
            value = served;
            _servedTimeAt = r.TokenStartIndex;
            return null;
        }
        var text = r.GetString();
        return QTicketsJson.TryOtherForm(text, out value) ? null : $"{name} '{text}' is not an ISO-8601 timestamp with an offset";
    }

    static long? WholeNumber(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Number) return r.TryGetInt64(out var n) ? n : null;
        if (r.TokenType != JsonTokenType.String) return null;
        if (!r.ValueIsEscaped)
        {
            var raw = r.ValueSpan;
            if (raw.Length is 0 or > 18 || raw.ContainsAnyExceptInRange((byte)'0', (byte)'9')) return null;
            return Utf8Parser.TryParse(raw, out long digits, out _) ? digits : null;
        }
        return r.GetString() is { Length: > 0 and <= 18 } s && s.All(char.IsAsciiDigit)
            ? long.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture) : null;
    }

    static string? Text(ref Utf8JsonReader r) => r.TokenType switch
    {
        JsonTokenType.String => r.GetString(),
        JsonTokenType.Number => Encoding.UTF8.GetString(r.ValueSpan),
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        _ => null,
    };

    /// <summary>
    /// <see cref="Text"/> of a value that repeats across orders: a string comes from the cache. One served escaped is
    /// found by its served bytes, and its unescaped bytes noted as <see cref="Unescaped"/> notes them, for the payload,
    /// which writes the same value next: neither unescapes it again.
    /// </summary>
    string? RepeatedText(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.String) return Text(ref r);
        if (!r.ValueIsEscaped) return _repeated.Get(r.ValueSpan);
        if (!_repeated.TryGetEscaped(r.ValueSpan, out var value, out var unescaped))
            return _repeated.AddEscaped(r.ValueSpan, Unescaped(ref r, out _));
        unescaped.CopyTo(TextRoom(unescaped.Length));
        NoteUnescaped(ref r, unescaped.Length, out _);
        return value;
    }

    static long? Int64(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Number) return r.TryGetInt64(out var n) ? n : null;
        if (r.TokenType != JsonTokenType.String) return null;
        var parsed = r.ValueIsEscaped
            ? long.TryParse(r.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            : long.TryParse(r.ValueSpan, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
        return parsed ? value : null;
    }

    static bool Bool(ref Utf8JsonReader r) => r.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.Number => r.TryGetInt64(out var n) && n != 0,
        JsonTokenType.String => r.GetString() is "1" or "true" or "True",
        _ => false,
    };

    /// <summary>A value as it came, quoted for a problem: at most 40 characters, personal-looking text masked.</summary>
    static string Quote(ref Utf8JsonReader r) => r.TokenType switch
    {
        JsonTokenType.String => "'" + QTicketsJson.Cut(r.GetString()!) + "'",
        JsonTokenType.Number => QTicketsJson.Cut(Encoding.UTF8.GetString(r.ValueSpan)),
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.StartObject => "(an object)",
        JsonTokenType.StartArray => "(a list)",
        _ => "(null)",
    };

    static string Kind(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "a list",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "true or false",
        JsonTokenType.Null => "null",
        _ => "nothing",
    };

    static string? FullName(params string?[] parts)
    {
        var name = string.Join(" ", parts.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => p!.Trim()));
        return name.Length == 0 ? null : name;
    }
}
