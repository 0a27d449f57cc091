using System.Text.Encodings.Web;
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

    static readonly JsonWriterOptions s_options = new()
    {
        // Cyrillic stays readable in ClickHouse; the JSON stays valid.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    /// <summary>The element as compact JSON without any personal key, keys in their original order.</summary>
    public static string Scrub(JsonElement element)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer, s_options))
            Write(writer, element);
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    static void Write(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject())
                {
                    if (Keys.Contains(property.Name)) continue;
                    writer.WritePropertyName(property.Name);
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
