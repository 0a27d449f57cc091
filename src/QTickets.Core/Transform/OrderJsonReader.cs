using System.Text.Json;
using QTickets.Core.Json;
using QTickets.Core.Model;

namespace QTickets.Core.Transform;

/// <summary>
/// Orders out of raw JSON text as saved from the API (`Get-Content orders.json -Raw`): a `GET /orders` page
/// (`{"data":[...], "paging":...}`), a `GET /orders/{id}` answer (`{"data":{...}}`), a bare order, or an array of
/// orders. Each order is parsed by the same tolerant parser the API client uses.
/// </summary>
public static class OrderJsonReader
{
    static readonly JsonDocumentOptions s_options = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    /// <exception cref="JsonException">The text is not JSON, or JSON of another shape (an API error answer).</exception>
    public static List<Order> Read(string json, bool includePersonalData)
    {
        using var document = JsonDocument.Parse(json, s_options);
        var root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("data", out var data)) root = data;
        var orders = new List<Order>();
        switch (root.ValueKind)
        {
            case JsonValueKind.Array:
                foreach (var item in root.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.Object)
                        throw new JsonException($"an array item is {item.ValueKind}, not an order object");
                    orders.Add(QTicketsJson.ParseOrder(item, includePersonalData));
                }
                break;
            case JsonValueKind.Object when root.TryGetProperty("error", out var error) && !root.TryGetProperty("id", out _):
                // An error answer saved instead of a page: say so rather than report an order without an id.
                throw new JsonException($"this is an API error answer ({error}), not orders");
            case JsonValueKind.Object:
                orders.Add(QTicketsJson.ParseOrder(root, includePersonalData));
                break;
            default:
                throw new JsonException($"the JSON is {root.ValueKind}, not an order, an array of orders or a page of them");
        }
        return orders;
    }
}
