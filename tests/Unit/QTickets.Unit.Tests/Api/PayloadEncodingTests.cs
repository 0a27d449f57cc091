using System.Text;
using System.Text.Encodings.Web;
using QTickets.Core.Json;
using Xunit;

namespace QTickets.Unit.Tests.Api;

/// <summary>
/// The payload writer's own check of text the encoder leaves as it is (printable ASCII and Cyrillic without asking the
/// encoder) never passes text the encoder would escape.
/// </summary>
public class PayloadEncodingTests
{
    static readonly JavaScriptEncoder s_encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    [Fact]
    public void Every_character_the_check_passes_alone_is_left_as_it_is_by_the_encoder()
    {
        var passed = 0;
        for (var c = 0; c <= 0xFFFF; c++)
        {
            if (c is >= 0xD800 and <= 0xDFFF) continue;
            var utf8 = Encoding.UTF8.GetBytes(((char)c).ToString());
            if (!PayloadWriter.LeftAsIs(utf8)) continue;
            passed++;
            Assert.True(s_encoder.FindFirstCharacterToEncodeUtf8(utf8) < 0, $"U+{c:X4} passes the check but the encoder escapes it");
        }
        // Printable ASCII less '"' and '\', and U+0400–U+047F.
        Assert.Equal(95 - 2 + 128, passed);
    }

    [Fact]
    public void Mixed_texts_pass_only_when_the_encoder_leaves_them_as_they_are()
    {
        var random = new Random(447);
        var alphabet = "aZ09 -_.,:;()/<>&'+`\"\\\n\u007fёЁжЖЯя\u0400\u047f\u0480€№«»😀".EnumerateRunes().Select(r => r.ToString()).ToArray();
        for (var i = 0; i < 20_000; i++)
        {
            var text = string.Concat(Enumerable.Range(0, random.Next(0, 30)).Select(_ => alphabet[random.Next(alphabet.Length)]));
            var utf8 = Encoding.UTF8.GetBytes(text);
            if (PayloadWriter.LeftAsIs(utf8)) Assert.True(s_encoder.FindFirstCharacterToEncodeUtf8(utf8) < 0, text);
        }
        Assert.True(PayloadWriter.LeftAsIs(Encoding.UTF8.GetBytes("Детский билет (в будни), ряд 5")));
        Assert.False(PayloadWriter.LeftAsIs(Encoding.UTF8.GetBytes("a\"b")));
        Assert.False(PayloadWriter.LeftAsIs([0xD0])); // cut after a lead byte
        Assert.False(PayloadWriter.LeftAsIs([0xD0, 0x41]));
    }
}
