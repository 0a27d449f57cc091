using System.Globalization;
using System.Text.Json;

namespace QTickets.Sandbox.Json;

/// <summary>
/// Ordered JSON document model. Objects keep key order; numbers keep their source text so a parsed
/// fixture renders back byte for byte. Rendering is done by <see cref="PhpJsonWriter"/>.
/// </summary>
internal abstract class JNode
{
    public static readonly JNull Null = new();
    public static readonly JBool True = new(true);
    public static readonly JBool False = new(false);

    public static JNode Of(string? s) => s is null ? Null : new JString(s);
    public static JNode Of(bool b) => b ? True : False;
    public static JNode Of(long v) => new JNumber(v);
    public static JNode Of(long? v) => v is null ? Null : new JNumber(v.Value);
    public static JNode Of(decimal v) => new JNumber(v);
    public static JNode Of(decimal? v) => v is null ? Null : new JNumber(v.Value);

    public virtual JNode? this[string key] => null;

    /// <summary>Values found at a dotted path; arrays on the way are fanned out.</summary>
    public void Collect(ReadOnlySpan<string> path, List<JNode> into)
    {
        if (path.Length == 0) { into.Add(this); return; }
        switch (this)
        {
            case JObject o:
                var child = o[path[0]];
                child?.Collect(path[1..], into);
                break;
            case JArray a:
                foreach (var item in a.Items) item.Collect(path, into);
                break;
        }
    }

    public static JNode Parse(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (!reader.Read()) throw new JsonException("empty document");
        var node = ReadValue(ref reader);
        return node;
    }

    public static JNode Parse(string json) => Parse(System.Text.Encoding.UTF8.GetBytes(json));

    private static JNode ReadValue(ref Utf8JsonReader r)
    {
        switch (r.TokenType)
        {
            case JsonTokenType.StartObject:
            {
                var o = new JObject();
                while (r.Read() && r.TokenType != JsonTokenType.EndObject)
                {
                    var key = r.GetString()!;
                    r.Read();
                    o.Add(key, ReadValue(ref r));
                }
                return o;
            }
            case JsonTokenType.StartArray:
            {
                var a = new JArray();
                while (r.Read() && r.TokenType != JsonTokenType.EndArray) a.Items.Add(ReadValue(ref r));
                return a;
            }
            case JsonTokenType.String: return new JString(r.GetString()!);
            case JsonTokenType.Number: return new JNumber(System.Text.Encoding.ASCII.GetString(r.ValueSpan));
            case JsonTokenType.True: return True;
            case JsonTokenType.False: return False;
            case JsonTokenType.Null: return Null;
            default: throw new JsonException("unexpected token " + r.TokenType);
        }
    }

    public byte[] ToUtf8()
    {
        var w = new PhpJsonWriter();
        w.Write(this);
        return w.ToArray();
    }

    public override string ToString() => System.Text.Encoding.UTF8.GetString(ToUtf8());
}

internal sealed class JNull : JNode { }

internal sealed class JBool(bool value) : JNode { public bool Value { get; } = value; }

internal sealed class JString(string value) : JNode { public string Value { get; } = value; }

internal sealed class JNumber : JNode
{
    /// <summary>Text as rendered: source text for parsed numbers, PHP style for generated ones.</summary>
    public string Raw { get; }

    public JNumber(string raw) => Raw = raw;
    public JNumber(long v) => Raw = v.ToString(CultureInfo.InvariantCulture);
    public JNumber(decimal v) => Raw = Format(v);

    /// <summary>PHP json_encode of a float with serialize_precision -1: 490.0 → 490, 490.50 → 490.5.</summary>
    public static string Format(decimal v)
    {
        if (v == decimal.Truncate(v)) return decimal.Truncate(v).ToString("0", CultureInfo.InvariantCulture);
        return v.ToString("0.############################", CultureInfo.InvariantCulture);
    }

    public bool TryDecimal(out decimal d) =>
        decimal.TryParse(Raw, NumberStyles.Float, CultureInfo.InvariantCulture, out d);

    public double AsDouble() => double.Parse(Raw, NumberStyles.Float, CultureInfo.InvariantCulture);
}

internal sealed class JArray : JNode
{
    public List<JNode> Items { get; }
    public JArray() => Items = [];
    public JArray(IEnumerable<JNode> items) => Items = [.. items];
}

internal sealed class JObject : JNode
{
    private readonly List<KeyValuePair<string, JNode>> _props = [];
    public IReadOnlyList<KeyValuePair<string, JNode>> Props => _props;
    public int Count => _props.Count;

    public JObject Add(string key, JNode value) { _props.Add(new(key, value)); return this; }
    public JObject Add(string key, string? v) => Add(key, Of(v));
    public JObject Add(string key, long v) => Add(key, Of(v));
    public JObject Add(string key, long? v) => Add(key, Of(v));
    public JObject Add(string key, decimal v) => Add(key, Of(v));
    public JObject Add(string key, decimal? v) => Add(key, Of(v));
    public JObject Add(string key, bool v) => Add(key, Of(v));

    public override JNode? this[string key]
    {
        get
        {
            foreach (var p in _props) if (p.Key == key) return p.Value;
            return null;
        }
    }

    public bool Has(string key) => this[key] is not null;
}
