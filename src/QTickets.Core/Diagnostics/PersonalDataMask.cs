using System.Text.Encodings.Web;
using System.Text.Json;
using QTickets.Core.Json;

namespace QTickets.Core.Diagnostics;

/// <summary>
/// Masks personal data in saved answers. Unlike <see cref="PersonalData.Scrub"/> (which keeps only the listed keys
/// for the warehouse), the protocol keeps every key and replaces the value, so a support engineer still sees the
/// shape of the answer. Text that is not JSON (an HTML page, a cut-off body) gets e-mails and phone numbers masked.
/// </summary>
internal static class PersonalDataMask
{
    static readonly JsonWriterOptions s_options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = true };

    public static string Mask(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var buffer = new System.Buffers.ArrayBufferWriter<byte>(body.Length + 256);
            using (var writer = new Utf8JsonWriter(buffer, s_options))
                Write(writer, doc.RootElement);
            return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
        catch (JsonException)
        {
            return PersonalData.MaskText(body);
        }
    }

    /// <summary>
    /// Text that may be cut-off JSON (an excerpt of a truncated page): the string value of any personal key (and of
    /// the client's name, surname, middlename, email and phone), then any e-mail and phone number left, masked.
    /// </summary>

    static void Write(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name);
                    if (PersonalData.Keys.Contains(property.Name) && property.Value.ValueKind != JsonValueKind.Null)
                        writer.WriteStringValue(PersonalData.Masked);
                    else
                        Write(writer, property.Value);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray()) Write(writer, item);
                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                // Personal data under a key nobody listed yet (a new field, an error message quoting an e-mail).
                writer.WriteStringValue(PersonalData.MaskText(element.GetString() ?? ""));
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
