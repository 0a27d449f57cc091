namespace QTickets.Core.Json;

/// <summary>
/// Valid JSON of the wrong shape for an order (an order or a basket that is not an object). Its own type, not a
/// <see cref="System.Text.Json.JsonException"/>: on a page read in one pass, the reader's JsonException means the
/// bytes are not JSON (a cut-off body, worth another attempt), and this means the API sent something else (it will again).
/// </summary>
internal sealed class OrderShapeException(string message) : Exception(message);
