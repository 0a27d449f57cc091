using System.Text;
using System.Text.Json;

namespace QTickets.Core.Json;

/// <summary>Reads one element of a page's `data` where the reader stands (on its first token), leaving it on its last.</summary>
public delegate T PageItemReader<out T>(ReadOnlySpan<byte> page, ref Utf8JsonReader reader);

/// <summary>
/// A list page (`{"data":[…],"paging":{…}}`) read by one Utf8JsonReader from its first byte to its last: the envelope
/// here, each element of `data` by the caller's <see cref="PageItemReader{T}"/> on the same reader (orders by
/// <see cref="OrderReader"/>). Parsing an orders page into a JsonDocument first and reading every order from its
/// element's bytes tokenized each order twice, and the document alone cost as much as the plain System.Text.Json read
/// of the page (BENCHMARKS.md, "Parse and convert").
/// <para>
/// The reader takes what JsonDocument takes (no comments, no trailing commas) and goes to the end of the bytes, so a
/// body that is not complete JSON throws the reader's <see cref="JsonException"/> and never yields part of a page.
/// Valid JSON of another shape is a <see cref="ListPage{T}.Problem"/> instead; the bytes after such a problem are still
/// checked, so a cut-off body stays a JsonException whatever its valid part held.
/// </para>
/// </summary>
internal static class ListPageReader
{
    const int ExcerptLength = 40;

    /// <exception cref="JsonException">The bytes are not one complete JSON value.</exception>
    public static ListPage<T> Read<T>(ReadOnlySpan<byte> page, PageItemReader<T> readItem)
    {
        var r = new Utf8JsonReader(page);
        r.Read();
        if (r.TokenType != JsonTokenType.StartObject) return Refused<T>(page, "has no data array");
        List<T>? items = null;
        string? dataProblem = "has no data array", totalProblem = null, perPageProblem = null;
        long? total = null;
        int? perPage = null;
        var hasPaging = false;
        // A key served twice counts with its last value, as a lookup in a parsed document would.
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var isData = r.ValueTextEquals("data"u8);
            var isPaging = !isData && r.ValueTextEquals("paging"u8);
            r.Read();
            if (isData)
            {
                if (r.TokenType != JsonTokenType.StartArray)
                {
                    dataProblem = "has no data array";
                    r.Skip();
                    continue;
                }
                dataProblem = null;
                items = new List<T>();
                while (r.Read() && r.TokenType != JsonTokenType.EndArray)
                {
                    try
                    {
                        items.Add(readItem(page, ref r));
                    }
                    catch (Exception ex) when (ex is not JsonException)
                    {
                        // Valid JSON the item cannot be read from (a basket that is not an object, text that is not
                        // UTF-8): the API will send it again, so it is no reason to retry.
                        return Refused<T>(page, $"has an item (#{items.Count + 1}) that cannot be read: {ex.Message}");
                    }
                }
            }
            else if (isPaging)
            {
                hasPaging = false;
                total = null;
                perPage = null;
                totalProblem = perPageProblem = null;
                switch (r.TokenType)
                {
                    case JsonTokenType.Null:
                        break;
                    case JsonTokenType.StartObject:
                        hasPaging = true;
                        ReadPaging(page, ref r, ref total, ref perPage, ref totalProblem, ref perPageProblem);
                        break;
                    case JsonTokenType.StartArray when IsEmptyArray(r):
                        // PHP renders an empty object as [].
                        r.Skip();
                        break;
                    default:
                        totalProblem = $"has a paging of kind {ValueKind(r.TokenType)} instead of an object";
                        r.Skip();
                        break;
                }
            }
            else
            {
                r.Skip();
            }
        }
        // The end of the bytes: anything after the envelope is not JSON (the reader throws).
        r.Read();
        if ((dataProblem ?? totalProblem ?? perPageProblem) is { } problem) return new ListPage<T>([], null, null, false, problem);
        return new ListPage<T>(items!, total, perPage, hasPaging, null);
    }

    static void ReadPaging(ReadOnlySpan<byte> page, ref Utf8JsonReader r, ref long? total, ref int? perPage,
        ref string? totalProblem, ref string? perPageProblem)
    {
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var isTotal = r.ValueTextEquals("total"u8);
            var isPerPage = !isTotal && r.ValueTextEquals("perPage"u8);
            r.Read();
            if (isTotal)
            {
                total = null;
                totalProblem = null;
                if (r.TokenType == JsonTokenType.Null) continue;
                if (r.TokenType == JsonTokenType.Number && r.TryGetInt64(out var t) && t >= 0) total = t;
                else totalProblem = $"has an unreadable paging.total ({Excerpt(page, ref r)})";
            }
            else if (isPerPage)
            {
                perPage = null;
                perPageProblem = null;
                if (r.TokenType == JsonTokenType.Null) continue;
                if (r.TokenType == JsonTokenType.Number && r.TryGetInt32(out var p) && p > 0) perPage = p;
                else perPageProblem = $"has an unreadable paging.perPage ({Excerpt(page, ref r)})";
            }
            r.Skip();
        }
    }

    static bool IsEmptyArray(Utf8JsonReader r) => r.Read() && r.TokenType == JsonTokenType.EndArray;

    /// <summary>A problem with the page, once the rest of the bytes are known to be JSON (else the reader throws).</summary>
    static ListPage<T> Refused<T>(ReadOnlySpan<byte> page, string problem)
    {
        var check = new Utf8JsonReader(page);
        check.Read();
        check.Skip();
        check.Read();
        return new ListPage<T>([], null, null, false, problem);
    }

    /// <summary>A value as served, at most 40 characters, for a problem; the reader is left on its last token.</summary>
    static string Excerpt(ReadOnlySpan<byte> page, ref Utf8JsonReader r)
    {
        var start = (int)r.TokenStartIndex;
        r.Skip();
        var text = Encoding.UTF8.GetString(page[start..(int)r.BytesConsumed]);
        return text.Length <= ExcerptLength ? text : text[..ExcerptLength] + "…";
    }

    /// <summary>A token's kind named as <see cref="JsonValueKind"/> names it.</summary>
    static string ValueKind(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => nameof(JsonValueKind.Object),
        JsonTokenType.StartArray => nameof(JsonValueKind.Array),
        JsonTokenType.String => nameof(JsonValueKind.String),
        JsonTokenType.Number => nameof(JsonValueKind.Number),
        JsonTokenType.True => nameof(JsonValueKind.True),
        JsonTokenType.False => nameof(JsonValueKind.False),
        _ => nameof(JsonValueKind.Null),
    };
}
