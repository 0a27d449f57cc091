using System.Text;
using System.Text.Json;

namespace QTickets.Engine.Api;

/// <summary>One `where` condition of a list request, e.g. payed_at >= "2025-11-05T00:00:00+03:00".</summary>
internal sealed record WhereCondition(string Column, string Operator, object Value);

/// <summary>The JSON body of a list GET: where, orderBy, page and page size.</summary>
internal static class ListBody
{
    public static string Build(IReadOnlyList<WhereCondition> where, int page, int? pageSize)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            if (where.Count > 0)
            {
                w.WriteStartArray("where");
                foreach (var c in where)
                {
                    w.WriteStartObject();
                    w.WriteString("column", c.Column);
                    w.WriteString("operator", c.Operator);
                    switch (c.Value)
                    {
                        case long l: w.WriteNumber("value", l); break;
                        case int i: w.WriteNumber("value", i); break;
                        default: w.WriteString("value", Convert.ToString(c.Value, System.Globalization.CultureInfo.InvariantCulture)); break;
                    }
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            // Stable order by id is what makes paging correct while orders are created (see PagedReader).
            w.WriteStartObject("orderBy");
            w.WriteString("id", "asc");
            w.WriteEndObject();
            w.WriteNumber("page", page);
            if (pageSize is int size)
            {
                // Undocumented key, spelled both ways; the answer's paging.perPage is what counts.
                w.WriteNumber("perPage", size);
                w.WriteNumber("per_page", size);
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>A filter value as the API renders timestamps: seconds, Moscow offset with a colon.</summary>
    public static string Timestamp(DateTimeOffset value) =>
        value.ToOffset(TimeSpan.FromHours(3)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture);
}
