using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace QTickets.Core.Json;

/// <summary>
/// Compact JSON exactly as <see cref="Utf8JsonWriter"/> writes it with <see cref="PersonalData.PayloadWriting"/>, for the
/// one shape the payload has: a name or a string that its encoder leaves as it is (nearly all of them) is copied as
/// served, numbers are copied, and only a value that needs escaping goes through a Utf8JsonWriter. Writing the payload
/// token by token through Utf8JsonWriter costs more than reading the order.
/// </summary>
internal sealed class PayloadWriter
{
    static readonly JavaScriptEncoder s_encoder = PersonalData.PayloadWriting.Encoder!;

    readonly ArrayBufferWriter<byte> _output;
    readonly Utf8JsonWriter _escaping;
    ulong _hasItems; // per depth (1..64, the reader's limit): whether the container holds an item yet
    int _depth;
    bool _afterName;

    public PayloadWriter(ArrayBufferWriter<byte> output)
    {
        _output = output;
        _escaping = new Utf8JsonWriter(output, PersonalData.PayloadWriting);
    }

    public int Position => _output.WrittenCount;

    public void Reset()
    {
        _output.ResetWrittenCount();
        _hasItems = 0;
        _depth = 0;
        _afterName = false;
    }

    public void WriteStartObject() => Open((byte)'{');
    public void WriteEndObject() => Close((byte)'}');
    public void WriteStartArray() => Open((byte)'[');
    public void WriteEndArray() => Close((byte)']');

    public void WritePropertyName(ReadOnlySpan<byte> name)
    {
        Separate();
        String(name);
        Byte((byte)':');
        _afterName = true;
    }

    /// <summary>A string from its unescaped UTF-8 bytes; returns where the value starts.</summary>
    public int WriteStringValue(ReadOnlySpan<byte> utf8)
    {
        Separate();
        var start = Position;
        String(utf8);
        return start;
    }

    /// <summary>A string from text; returns where the value starts.</summary>
    public int WriteStringValue(string text)
    {
        Separate();
        var start = Position;
        _escaping.Reset(_output);
        _escaping.WriteStringValue(text);
        _escaping.Flush();
        return start;
    }

    /// <summary>
    /// Members of the open object as served and as this writer would write them, e.g. <c>"id":1,"payed":true</c>: copied,
    /// with the comma before them when the object holds members already; returns where the copy starts.
    /// </summary>
    public int WriteMembers(ReadOnlySpan<byte> served)
    {
        Separate();
        var start = Position;
        Bytes(served);
        return start;
    }

    /// <summary>A number as served (the reader has checked it).</summary>
    public void WriteNumberValue(ReadOnlySpan<byte> served)
    {
        Separate();
        Bytes(served);
    }

    public void WriteBooleanValue(bool value)
    {
        Separate();
        Bytes(value ? "true"u8 : "false"u8);
    }

    public void WriteNullValue()
    {
        Separate();
        Bytes("null"u8);
    }

    void String(ReadOnlySpan<byte> utf8)
    {
        if (LeftAsIs(utf8) || s_encoder.FindFirstCharacterToEncodeUtf8(utf8) < 0)
        {
            var span = _output.GetSpan(utf8.Length + 2);
            span[0] = (byte)'"';
            utf8.CopyTo(span[1..]);
            span[utf8.Length + 1] = (byte)'"';
            _output.Advance(utf8.Length + 2);
            return;
        }
        // Escapes, and bytes that are not UTF-8 (refused by the writer as they would be by Utf8JsonWriter).
        _escaping.Reset(_output);
        _escaping.WriteStringValue(utf8);
        _escaping.Flush();
    }

    /// <summary>
    /// Text the encoder is known to leave as it is, seen without it: printable ASCII but '"' and '\', and the Cyrillic
    /// letters U+0400–U+047F (two bytes, D0 or D1 and a continuation byte). The encoder decodes every non-ASCII character
    /// one by one, and kept texts are mostly Cyrillic; anything else is left to it. Held to the encoder by unit tests.
    /// </summary>
    internal static bool LeftAsIs(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IndexOfAny((byte)'"', (byte)'\\') >= 0) return false;
        var i = utf8.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E);
        if (i < 0) return true;
        for (; i < utf8.Length; i++)
        {
            var b = utf8[i];
            if (b is >= 0x20 and <= 0x7E) continue;
            if (b is not (0xD0 or 0xD1) || i + 1 >= utf8.Length || utf8[i + 1] is < 0x80 or > 0xBF) return false;
            i++;
        }
        return true;
    }

    void Open(byte bracket)
    {
        Separate();
        Byte(bracket);
        _depth++;
        _hasItems &= ~Bit(_depth);
    }

    void Close(byte bracket)
    {
        _depth--;
        Byte(bracket);
    }

    /// <summary>The comma before a container's every item but the first; none between a name and its value.</summary>
    void Separate()
    {
        if (_afterName)
        {
            _afterName = false;
            return;
        }
        if (_depth == 0) return;
        if ((_hasItems & Bit(_depth)) != 0) Byte((byte)',');
        else _hasItems |= Bit(_depth);
    }

    static ulong Bit(int depth) => 1UL << ((depth - 1) & 63);

    void Byte(byte b)
    {
        _output.GetSpan(1)[0] = b;
        _output.Advance(1);
    }

    void Bytes(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_output.GetSpan(bytes.Length));
        _output.Advance(bytes.Length);
    }
}
