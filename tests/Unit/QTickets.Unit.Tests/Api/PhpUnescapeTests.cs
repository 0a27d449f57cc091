using System.Text;
using System.Text.Json;
using QTickets.Core.Json;
using Xunit;

namespace QTickets.Unit.Tests.Api;

/// <summary>
/// The order reader's own unescaping of what PHP escapes gives the bytes the reader's CopyString gives, and leaves to
/// it what it does not read itself (surrogate pairs, lone surrogates, bytes that are not UTF-8).
/// </summary>
public class PhpUnescapeTests
{
    [Fact]
    public void Every_escape_PHP_sends_unescapes_as_the_reader_does()
    {
        var random = new Random(1856);
        var alphabet = "aZ09 -_.,:;()/\\\"\n\t\r\b\f\u0000\u001f\u007f\u00a0ёЁжЖ€\u07ff\u0800\ufffd\uffff№«»".ToCharArray();
        var taken = 0;
        for (var i = 0; i < 5000; i++)
        {
            var text = new string(Enumerable.Range(0, random.Next(0, 40)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            // PHP's json_encode: every non-ASCII character and every slash escaped, upper or lower case hex.
            var served = Escape(text, upperHex: i % 2 == 0);
            if (Unescape(served, out var mine))
            {
                taken++;
                Assert.Equal(Encoding.UTF8.GetBytes(text), mine);
            }
        }
        Assert.Equal(5000, taken);
    }

    [Theory]
    [InlineData("\"\\ud83d\\ude00 smile\"")] // a surrogate pair: left to the reader
    [InlineData("\"\\ud83d lone\"")] // a lone surrogate: the reader refuses it
    [InlineData("\"\\ude00\"")]
    public void Surrogates_are_left_to_the_reader(string json)
    {
        var r = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        r.Read();
        Assert.False(OrderReader.PhpUnescaped(r.ValueSpan, new byte[r.ValueSpan.Length], out _));
    }

    [Fact]
    public void Bytes_that_are_not_UTF8_are_left_to_the_reader()
    {
        byte[] served = [(byte)'"', (byte)'\\', (byte)'u', (byte)'0', (byte)'4', (byte)'3', (byte)'6', 0xC3, 0x28, (byte)'"'];
        var r = new Utf8JsonReader(served);
        r.Read();
        Assert.False(OrderReader.PhpUnescaped(r.ValueSpan, new byte[r.ValueSpan.Length], out _));
    }

    static bool Unescape(string served, out byte[] unescaped)
    {
        var r = new Utf8JsonReader(Encoding.UTF8.GetBytes(served));
        r.Read();
        var theirs = new byte[r.ValueSpan.Length];
        var theirLength = r.CopyString(theirs);
        var into = new byte[r.ValueSpan.Length];
        var taken = OrderReader.PhpUnescaped(r.ValueSpan, into, out var length);
        unescaped = into[..length];
        if (taken) Assert.Equal(theirs[..theirLength], unescaped);
        return taken;
    }

    static string Escape(string text, bool upperHex)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in text)
        {
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '/' => "\\/",
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                '\b' => "\\b",
                '\f' => "\\f",
                < ' ' or > '~' => "\\u" + ((int)c).ToString(upperHex ? "X4" : "x4"),
                _ => c.ToString(),
            });
        }
        return sb.Append('"').ToString();
    }
}
