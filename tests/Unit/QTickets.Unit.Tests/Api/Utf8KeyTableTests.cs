using System.Text;
using QTickets.Core.Json;
using Xunit;

namespace QTickets.Unit.Tests.Api;

/// <summary>The predicted lookup answers as the plain one whatever order the keys come in, right guess or wrong.</summary>
public class Utf8KeyTableTests
{
    [Fact]
    public void Predicted_lookups_answer_as_plain_ones_for_keys_in_any_order()
    {
        string[] listed = ["id", "show_id", "seat_id", "price", "refunded_at", "refunded_amount", "barcode"];
        var table = new Utf8KeyTable<int>(listed.Select((k, i) => KeyValuePair.Create(k, i)));
        var next = table.NewSequence();
        var served = listed.Concat(["unlisted", "", "pric", "prices"]).ToArray();
        var random = new Random(5);
        for (var round = 0; round < 500; round++)
        {
            // Mostly the same order, as a page serves its baskets; now and then shuffled, cut, or with a key twice.
            var keys = round % 7 == 0 ? served.OrderBy(_ => random.Next()).Take(random.Next(1, served.Length)).ToArray()
                : round % 11 == 0 ? [.. served, "id"] : served;
            var previous = -1;
            foreach (var key in keys)
            {
                var bytes = Encoding.UTF8.GetBytes(key);
                var plain = table.TryGet(bytes, out var plainValue);
                Assert.Equal(plain, table.TryGetPredicted(bytes, ref previous, next, out var predictedValue));
                Assert.Equal(plainValue, predictedValue);
                Assert.Equal(Array.IndexOf(listed, key) is var i && i >= 0 ? i : 0, predictedValue);
            }
        }
    }
}
