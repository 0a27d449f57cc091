using System.Text;
using QTickets.Core.Webhooks;

namespace QTickets.Unit.Tests.Webhooks;

public sealed class WebhookSignatureTests
{
    static readonly byte[] s_secret = Encoding.UTF8.GetBytes("a-webhook-secret-of-32-characters");

    [Fact]
    public void The_signature_is_the_hex_hmac_sha1_of_the_raw_body()
    {
        // RFC 2202 test case 2: HMAC-SHA1("Jefe", "what do ya want for nothing?").
        Assert.Equal("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
            WebhookSignature.Sign(Encoding.ASCII.GetBytes("what do ya want for nothing?"), Encoding.ASCII.GetBytes("Jefe")));
    }

    [Fact]
    public void Only_the_signature_of_these_exact_bytes_with_this_secret_verifies()
    {
        var body = Encoding.UTF8.GetBytes("{\"id\":1,\"price\":900}");
        var signature = WebhookSignature.Sign(body, s_secret);
        Assert.True(WebhookSignature.Verify(body, signature, s_secret));
        Assert.True(WebhookSignature.Verify(body, signature.ToUpperInvariant(), s_secret));
        Assert.True(WebhookSignature.Verify(body, " " + signature + " ", s_secret));
        Assert.False(WebhookSignature.Verify(Encoding.UTF8.GetBytes("{\"id\":1,\"price\":9900}"), signature, s_secret));
        Assert.False(WebhookSignature.Verify(Encoding.UTF8.GetBytes("{\"id\":1,\"price\":900} "), signature, s_secret));
        Assert.False(WebhookSignature.Verify(body, signature, Encoding.UTF8.GetBytes("another-secret-of-32-characters!!")));
        Assert.False(WebhookSignature.Verify(body, null, s_secret));
        Assert.False(WebhookSignature.Verify(body, "", s_secret));
        Assert.False(WebhookSignature.Verify(body, signature[..38], s_secret));
        Assert.False(WebhookSignature.Verify(body, signature + "00", s_secret));
        Assert.False(WebhookSignature.Verify(body, "zz" + signature[2..], s_secret));
        Assert.False(WebhookSignature.Verify(body, "sha1=" + signature, s_secret));
    }
}
