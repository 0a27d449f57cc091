using System.Text;

namespace QTickets.Sandbox.Json;

/// <summary>
/// Renders JSON the way PHP's json_encode does with default flags, as QTickets serves it:
/// compact, non-ASCII as \uXXXX (lowercase hex, UTF-16 code units), '/' as '\/', control
/// characters as \b \f \n \r \t or \u00XX, empty associative arrays (JObject with no keys) as [].
/// </summary>
internal sealed class PhpJsonWriter
{
    private byte[] _buf;
    private int _len;
    private const string Hex = "0123456789abcdef";

    public PhpJsonWriter(int capacity = 4096) => _buf = new byte[capacity];

    public int Length => _len;
    public ReadOnlySpan<byte> Span => _buf.AsSpan(0, _len);
    public ReadOnlyMemory<byte> Memory => _buf.AsMemory(0, _len);
    public byte[] ToArray() => _buf.AsSpan(0, _len).ToArray();

    private void Ensure(int extra)
    {
        if (_len + extra <= _buf.Length) return;
        Array.Resize(ref _buf, Math.Max(_buf.Length * 2, _len + extra));
    }

    public void Raw(byte b) { Ensure(1); _buf[_len++] = b; }

    public void Raw(ReadOnlySpan<byte> s) { Ensure(s.Length); s.CopyTo(_buf.AsSpan(_len)); _len += s.Length; }

    public void RawAscii(string s)
    {
        Ensure(s.Length);
        foreach (var c in s) _buf[_len++] = (byte)c;
    }

    public void Write(JNode node)
    {
        switch (node)
        {
            case JNull: RawAscii("null"); break;
            case JBool b: RawAscii(b.Value ? "true" : "false"); break;
            case JNumber n: RawAscii(n.Raw); break;
            case JString s: WriteString(s.Value); break;
            case JArray a:
                Raw((byte)'[');
                for (var i = 0; i < a.Items.Count; i++)
                {
                    if (i > 0) Raw((byte)',');
                    Write(a.Items[i]);
                }
                Raw((byte)']');
                break;
            case JObject o:
                if (o.Count == 0) { RawAscii("[]"); break; }
                Raw((byte)'{');
                var first = true;
                foreach (var p in o.Props)
                {
                    if (!first) Raw((byte)',');
                    first = false;
                    WriteString(p.Key);
                    Raw((byte)':');
                    Write(p.Value);
                }
                Raw((byte)'}');
                break;
        }
    }

    public void WriteString(string s)
    {
        Ensure(s.Length * 6 + 2);
        var b = _buf;
        var n = _len;
        b[n++] = (byte)'"';
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': b[n++] = (byte)'\\'; b[n++] = (byte)'"'; break;
                case '\\': b[n++] = (byte)'\\'; b[n++] = (byte)'\\'; break;
                case '/': b[n++] = (byte)'\\'; b[n++] = (byte)'/'; break;
                case '\b': b[n++] = (byte)'\\'; b[n++] = (byte)'b'; break;
                case '\f': b[n++] = (byte)'\\'; b[n++] = (byte)'f'; break;
                case '\n': b[n++] = (byte)'\\'; b[n++] = (byte)'n'; break;
                case '\r': b[n++] = (byte)'\\'; b[n++] = (byte)'r'; break;
                case '\t': b[n++] = (byte)'\\'; b[n++] = (byte)'t'; break;
                default:
                    if (c < 0x20 || c >= 0x7f)
                    {
                        // PHP leaves DEL (0x7f) alone; escape only controls and non-ASCII.
                        if (c == 0x7f) { b[n++] = 0x7f; break; }
                        b[n++] = (byte)'\\'; b[n++] = (byte)'u';
                        b[n++] = (byte)Hex[(c >> 12) & 0xf];
                        b[n++] = (byte)Hex[(c >> 8) & 0xf];
                        b[n++] = (byte)Hex[(c >> 4) & 0xf];
                        b[n++] = (byte)Hex[c & 0xf];
                    }
                    else b[n++] = (byte)c;
                    break;
            }
        }
        b[n++] = (byte)'"';
        _len = n;
    }

    public static byte[] Render(JNode node)
    {
        var w = new PhpJsonWriter();
        w.Write(node);
        return w.ToArray();
    }

    public static string RenderString(JNode node) => Encoding.UTF8.GetString(Render(node));
}
