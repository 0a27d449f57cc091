namespace QTickets.Core.Model;

/// <summary>UTM tags of an order; the API sends `[]` when there are none, so every tag defaults to "".</summary>
public sealed record UtmTags(string Source, string Medium, string Campaign, string Content, string Term)
{
    public static readonly UtmTags Empty = new("", "", "", "", "");
    public override string ToString() => Source.Length == 0 ? "" : $"{Source}/{Medium}/{Campaign}";
}
