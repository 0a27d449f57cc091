using System.Text.Json;

namespace QTickets.Core.Json;

/// <summary>
/// Text arriving in pieces (a pipeline of strings) read the way ConvertFrom-Json reads it: when the first piece is a
/// whole JSON document, every piece is one (and each is handed on as it arrives); otherwise the pieces are the lines
/// of one document (`Get-Content file.json` without -Raw), joined with line breaks once the input ends.
/// </summary>
public sealed class JsonPipelineText
{
    readonly List<string> _lines = new();
    bool? _wholeDocuments;

    /// <summary>The documents this piece completes: itself in whole-document mode, none while lines are collected.</summary>
    public IReadOnlyList<string> Add(string? text)
    {
        text ??= "";
        _wholeDocuments ??= IsDocument(text);
        if (_wholeDocuments == true) return new[] { text };
        _lines.Add(text);
        return Array.Empty<string>();
    }

    /// <summary>At the end of input: the collected lines as one document, or null when the pieces were documents.</summary>
    public string? Finish() => _wholeDocuments == false ? string.Join("\n", _lines) : null;

    static bool IsDocument(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return false;
        try
        {
            using var _ = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
