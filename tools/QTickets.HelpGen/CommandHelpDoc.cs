using System.Text.RegularExpressions;

namespace QTickets.HelpGen;

public sealed record HelpExample(string Title, string Code, string Remarks);

public sealed record HelpTypeEntry(string TypeName, string Description);

public sealed record HelpLink(string Text, string? Uri);

/// <summary>
/// One cmdlet's help markdown, platyPS-shaped: `# Verb-Noun`, then `## SYNOPSIS`, `## DESCRIPTION`, `## EXAMPLES`
/// (`### Example N: title`, a fenced code block, remarks), `## PARAMETERS` (`### -Name`, text), `## INPUTS` and
/// `## OUTPUTS` (`### Type`, text), `## NOTES`, `## RELATED LINKS`. `## SYNTAX` and yaml blocks are ignored: those
/// facts come from the compiled cmdlet.
/// </summary>
public sealed class CommandHelpDoc
{
    public string Name { get; private init; } = "";
    public string Synopsis { get; private init; } = "";
    public string Description { get; private init; } = "";
    public IReadOnlyList<HelpExample> Examples { get; private init; } = Array.Empty<HelpExample>();
    public IReadOnlyDictionary<string, string> Parameters { get; private init; } = new Dictionary<string, string>();
    public IReadOnlyList<HelpTypeEntry> Inputs { get; private init; } = Array.Empty<HelpTypeEntry>();
    public IReadOnlyList<HelpTypeEntry> Outputs { get; private init; } = Array.Empty<HelpTypeEntry>();
    public string Notes { get; private init; } = "";
    public IReadOnlyList<HelpLink> Links { get; private init; } = Array.Empty<HelpLink>();

    static readonly Regex s_link = new(@"\[(?<text>[^\]]+)\]\((?<uri>[^)]*)\)", RegexOptions.Compiled);
    static readonly Regex s_example = new(@"^Example\s+\d+\s*:?\s*", RegexOptions.Compiled | RegexOptions.IgnoreCase);

    public static CommandHelpDoc Parse(string markdown)
    {
        var lines = markdown.ReplaceLineEndings("\n").Split('\n');
        var name = lines.FirstOrDefault(l => l.StartsWith("# ", StringComparison.Ordinal))?[2..].Trim() ?? "";
        var sections = Sections(lines, "## ");
        string Text(string key) => sections.TryGetValue(key, out var body) ? Markdown.Clean(body) : "";

        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (sections.TryGetValue("PARAMETERS", out var pbody))
            foreach (var (title, body) in Subsections(pbody))
                if (title.StartsWith('-')) parameters[title[1..].Trim()] = Markdown.Clean(Markdown.WithoutFences(body, "yaml"));

        var examples = new List<HelpExample>();
        if (sections.TryGetValue("EXAMPLES", out var ebody))
            foreach (var (title, body) in Subsections(ebody))
            {
                var (code, remarks) = Markdown.SplitFirstFence(body);
                examples.Add(new HelpExample(s_example.Replace(title, "").Trim(), code, Markdown.Clean(remarks)));
            }

        return new CommandHelpDoc
        {
            Name = name,
            Synopsis = Text("SYNOPSIS"),
            Description = Text("DESCRIPTION"),
            Examples = examples,
            Parameters = parameters,
            Inputs = Types(sections, "INPUTS"),
            Outputs = Types(sections, "OUTPUTS"),
            Notes = Text("NOTES"),
            Links = sections.TryGetValue("RELATED LINKS", out var lbody) ? ParseLinks(lbody) : Array.Empty<HelpLink>(),
        };
    }

    static IReadOnlyList<HelpTypeEntry> Types(Dictionary<string, List<string>> sections, string key) =>
        sections.TryGetValue(key, out var body)
            ? Subsections(body).Select(s => new HelpTypeEntry(s.Title.Trim(), Markdown.Clean(s.Body))).ToList()
            : Array.Empty<HelpTypeEntry>();

    static IReadOnlyList<HelpLink> ParseLinks(List<string> body) => body
        .Select(l => l.Trim().TrimStart('-', '*').Trim())
        .Where(l => l.Length > 0)
        .Select(l => s_link.Match(l) is { Success: true } m
            ? new HelpLink(m.Groups["text"].Value, m.Groups["uri"].Value.StartsWith("http", StringComparison.OrdinalIgnoreCase) ? m.Groups["uri"].Value : null)
            : new HelpLink(l, null))
        .ToList();

    /// <summary>Splits at headings of one level, outside code fences. Keys are upper-cased headings.</summary>
    static Dictionary<string, List<string>> Sections(IEnumerable<string> lines, string marker)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        List<string>? current = null;
        var fenced = false;
        foreach (var line in lines)
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal)) fenced = !fenced;
            if (!fenced && line.StartsWith(marker, StringComparison.Ordinal))
            {
                current = new List<string>();
                result[line[marker.Length..].Trim().ToUpperInvariant()] = current;
                continue;
            }
            current?.Add(line);
        }
        return result;
    }

    static List<(string Title, List<string> Body)> Subsections(List<string> lines)
    {
        var result = new List<(string, List<string>)>();
        var fenced = false;
        foreach (var line in lines)
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal)) fenced = !fenced;
            if (!fenced && line.StartsWith("### ", StringComparison.Ordinal))
            {
                result.Add((line[4..].Trim(), new List<string>()));
                continue;
            }
            if (result.Count > 0) result[^1].Item2.Add(line);
        }
        return result;
    }
}
