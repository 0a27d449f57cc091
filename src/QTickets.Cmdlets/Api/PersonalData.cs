using System.Text.Encodings.Web;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace QTickets.Api;

/// <summary>
/// The keys of QTickets orders that identify a person or open their tickets, and a writer that drops them.
/// The legacy loader stored the whole order, personal data included, in payload_json (facts §3.15 item 10).
/// </summary>
public static class PersonalData
{
    /// <summary>
    /// Removed wherever they occur in an order: the client object (names, e-mail, phone, social ids), the card
    /// mask, the uniqid and every URL built from it (they open the order), extra form fields (company, INN),
    /// and per ticket the holder's contacts, the barcode and the ticket URLs.
    /// </summary>
    public static readonly IReadOnlySet<string> Keys = new HashSet<string>(StringComparer.Ordinal)
    {
        "client", "uniqid", "payment_card_number", "payment_url", "cancel_url", "fields",
        "client_email", "client_phone", "client_name", "client_surname", "client_middlename",
        "organization_name", "legal_name", "work_position", "inn", "kpp", "comment",
        "barcode", "pdf_url", "passbook_url", "gpass_url",
    };

    static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> s_keys =
        ((HashSet<string>)Keys).GetAlternateLookup<ReadOnlySpan<char>>();

    static readonly JsonWriterOptions s_options = new()
    {
        // Cyrillic stays readable in ClickHouse; the JSON stays valid.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    // One buffer and writer per thread, reused: a fresh 4 KB buffer that grew to 8 KB per order was half of
    // what parsing an order allocated (BENCHMARKS.md, "Parse and convert"). The string returned is the only copy kept.
    [ThreadStatic] static System.Buffers.ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] static Utf8JsonWriter? t_writer;

    /// <summary>The element as compact JSON without any personal key, keys in their original order.</summary>
    public static string Scrub(JsonElement element)
    {
        var buffer = t_buffer ??= new System.Buffers.ArrayBufferWriter<byte>(16 * 1024);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, s_options);
        writer.Reset(buffer);
        Write(writer, element);
        writer.Flush();
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    static void Write(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                // One buffer for every key of this object (a stackalloc inside the loop would grow the frame per key).
                Span<char> name = stackalloc char[64];
                foreach (var property in element.EnumerateObject())
                {
                    // The raw UTF-8 name, not property.Name: a string per key was most of what scrubbing allocated.
                    var raw = JsonMarshal.GetRawUtf8PropertyName(property);
                    if (raw.Length > 64 || raw.IndexOf((byte)'\\') >= 0)
                    {
                        // Escaped or unusually long names (never seen) take the allocating path, which unescapes.
                        if (Keys.Contains(property.Name)) continue;
                        writer.WritePropertyName(property.Name);
                    }
                    else
                    {
                        var length = System.Text.Encoding.UTF8.GetChars(raw, name);
                        if (s_keys.Contains(name[..length])) continue;
                        writer.WritePropertyName(raw);
                    }
                    Write(writer, property.Value);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray()) Write(writer, item);
                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
