using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using QTickets.Core.Json;
using QTickets.Tests.Shared;

namespace QTickets.Unit.Tests.Api;

/// <summary>
/// An orders page read in one pass (<see cref="QTicketsJson.ParseOrdersPage"/>) against the page parsed into a
/// JsonDocument and every element read by <see cref="DomOrderReading"/>: the same orders, payloads byte for byte, on the
/// genuine page as served and laid out with white space (where no member can be copied as served). Its envelope as the
/// paging checks need it, and a body that is not complete JSON always a JsonException (retried by the transport), never
/// part of a page.
/// </summary>
public sealed class OrdersPageReadingTests
{
    static readonly byte[] s_genuine = File.ReadAllBytes(Fixtures.PathOf("orders_page1.json"));

    static void AssertPageAgrees(byte[] page)
    {
        foreach (var personal in new[] { false, true })
        {
            using var document = JsonDocument.Parse(page);
            var expected = document.RootElement.GetProperty("data").EnumerateArray()
                .Select(e => OrderReaderAgreementTests.Describe(DomOrderReading.ParseOrder(e, personal))).ToList();
            var read = QTicketsJson.ParseOrdersPage(page, personal);
            Assert.Null(read.Problem);
            var actual = read.Items.Select(OrderReaderAgreementTests.Describe).ToList();
            Assert.Equal(expected.Count, actual.Count);
            for (var i = 0; i < expected.Count; i++)
                Assert.True(expected[i] == actual[i], $"order #{i + 1} (personal data {personal}):\nexpected {expected[i]}\nactual   {actual[i]}");
        }
    }

    [Fact]
    public void The_genuine_page_as_served_reads_as_its_elements_do()
    {
        AssertPageAgrees(s_genuine);
        var page = QTicketsJson.ParseOrdersPage(s_genuine, false);
        Assert.Equal(50, page.Items.Count);
        Assert.True(page.HasPaging);
        Assert.NotNull(page.Total);
        Assert.NotNull(page.PerPage);
    }

    [Fact]
    public void The_genuine_page_laid_out_with_white_space_reads_as_its_elements_do()
    {
        var indented = JsonNode.Parse(s_genuine)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        AssertPageAgrees(Encoding.UTF8.GetBytes(indented));
        Assert.Equal(
            QTicketsJson.ParseOrdersPage(s_genuine, false).Items.Select(o => o.PayloadJson),
            QTicketsJson.ParseOrdersPage(Encoding.UTF8.GetBytes(indented), false).Items.Select(o => o.PayloadJson));
    }

    [Theory]
    [InlineData("""{"paging":{"total":2,"perPage":50},"data":[{"id":1,"payed":true},{"id":2,"payed":true}],"meta":{"x":[1,{}]}}""", 2, 2L, 50, true)]
    [InlineData("""{"data":[{"id":1,"payed":true}],"paging":[]}""", 1, null, null, false)]
    [InlineData("""{"data":[{"id":1,"payed":true}],"paging":null}""", 1, null, null, false)]
    [InlineData("""{"data":[{"id":1,"payed":true}]}""", 1, null, null, false)]
    [InlineData("""{"data":[],"paging":{"total":null,"perPage":null}}""", 0, null, null, true)]
    [InlineData("""{"data":{"id":9},"paging":{"total":"x"},"data":[{"id":1,"payed":true}],"paging":{"total":7}}""", 1, 7L, null, true)]
    public void The_envelope_is_read_as_a_parsed_document_reads_it(string json, int orders, long? total, int? perPage, bool hasPaging)
    {
        var page = QTicketsJson.ParseOrdersPage(Encoding.UTF8.GetBytes(json), false);

        Assert.Null(page.Problem);
        Assert.Equal(orders, page.Items.Count);
        Assert.Equal(total, page.Total);
        Assert.Equal(perPage, page.PerPage);
        Assert.Equal(hasPaging, page.HasPaging);
    }

    [Theory]
    [InlineData("""[]""", "has no data array")]
    [InlineData("""{"paging":{"total":1}}""", "has no data array")]
    [InlineData("""{"data":{}}""", "has no data array")]
    [InlineData("""{"data":null}""", "has no data array")]
    [InlineData("""{"data":[],"paging":"x"}""", "has a paging of kind String instead of an object")]
    [InlineData("""{"data":[],"paging":[1]}""", "has a paging of kind Array instead of an object")]
    [InlineData("""{"data":[],"paging":{"total":{"a":"bcdefghijklmnopqrstuvwxyz0123456789"}}}""", """has an unreadable paging.total ({"a":"bcdefghijklmnopqrstuvwxyz012345678…)""")]
    [InlineData("""{"data":[],"paging":{"perPage":1.5}}""", "has an unreadable paging.perPage (1.5)")]
    [InlineData("""{"data":[{"id":1,"payed":true},7]}""", "has an item (#2) that cannot be read: an order is a number, not an object")]
    [InlineData("""{"data":[{"id":1,"payed":true,"baskets":["x"]}]}""", "has an item (#1) that cannot be read: a basket is a string, not an object")]
    public void Valid_JSON_that_is_not_a_page_is_a_problem_naming_what_is_wrong(string json, string problem)
    {
        var page = QTicketsJson.ParseOrdersPage(Encoding.UTF8.GetBytes(json), false);

        Assert.Equal(problem, page.Problem);
        Assert.Empty(page.Items);
    }

    [Fact]
    public void The_payload_encoder_leaves_printable_ASCII_but_quote_and_backslash_as_it_is()
    {
        // The order pass copies plain ASCII text into the payload as served on the strength of this.
        var encoder = PersonalData.PayloadWriting.Encoder!;
        for (var b = 0x20; b < 0x7F; b++)
            Assert.Equal(b is '"' or '\\', encoder.FindFirstCharacterToEncodeUtf8([(byte)b]) >= 0);
        Assert.True(encoder.FindFirstCharacterToEncodeUtf8([0x7F]) >= 0);
    }

    [Fact]
    public void A_cut_off_page_is_never_part_of_a_page_wherever_it_breaks()
    {
        for (var cut = 0; cut < s_genuine.Length; cut += 997)
            Assert.ThrowsAny<JsonException>(() => QTicketsJson.ParseOrdersPage(s_genuine.AsSpan(0, cut), false));
    }

    [Theory]
    [InlineData("""{"data":[7,{"id":1""")]
    [InlineData("""{"data":[{"id":1,"baskets":[1]},{"id":""")]
    [InlineData("""{"data":[],"paging":"x","more":""")]
    [InlineData("""{"data":[]} {"data":[]}""")]
    [InlineData("""{"data":[],}""")]
    public void A_body_that_is_not_JSON_is_a_JsonException_even_after_a_problem(string json)
    {
        Assert.ThrowsAny<JsonException>(() => QTicketsJson.ParseOrdersPage(Encoding.UTF8.GetBytes(json), false));
    }
}
