using System.Text;

namespace QTickets.HelpGen;

/// <summary>
/// about_*.md to the plain text Get-Help prints: `# about_X` becomes the TOPIC block, `## HEADING` a flush-left
/// upper-case heading, `### Sub` an indented heading, body text indented four spaces, code blocks eight.
/// A line `<!-- include: relative/path.md -->` is replaced by that file without its `# title` line, so a page that
/// also lives elsewhere in docs/ is written once.
/// </summary>
public static class AboutTopicWriter
{
    const string IncludeStart = "<!-- include:";

    public static string ToText(string path)
    {
        var sb = new StringBuilder();
        var fenced = false;
        // Get-Help takes an about topic's synopsis from the fifth line of its file: the short description goes there
        // as one line, right under its heading, the way PowerShell's own about topics are laid out.
        var shortDescription = (List<string>?)null;
        foreach (var raw in Expand(path))
        {
            var line = raw.TrimEnd();
            if (shortDescription is not null)
            {
                if (line.Length > 0 && !line.StartsWith('#')) { shortDescription.Add(line.Trim()); continue; }
                if (line.Length == 0 && shortDescription.Count == 0) continue;
                sb.Append("    ").Append(string.Join(' ', shortDescription)).Append("\n\n");
                shortDescription = null;
                if (line.Length == 0) continue;
            }
            if (!fenced && line.Trim().Equals("## SHORT DESCRIPTION", StringComparison.OrdinalIgnoreCase))
            {
                sb.Append("SHORT DESCRIPTION\n");
                shortDescription = new List<string>();
                continue;
            }
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                fenced = !fenced;
                continue;
            }
            if (fenced) sb.Append("        ").Append(line).Append('\n');
            else if (line.StartsWith("# ", StringComparison.Ordinal)) sb.Append("TOPIC\n    ").Append(line[2..].Trim()).Append('\n');
            else if (line.StartsWith("## ", StringComparison.Ordinal)) sb.Append(line[3..].Trim().ToUpperInvariant()).Append('\n');
            else if (line.StartsWith("### ", StringComparison.Ordinal)) sb.Append("  ").Append(line[4..].Trim()).Append('\n');
            else if (line.StartsWith("#### ", StringComparison.Ordinal)) sb.Append("   ").Append(line[5..].Trim()).Append('\n');
            else if (line.Length == 0) sb.Append('\n');
            else sb.Append("    ").Append(line).Append('\n');
        }
        if (shortDescription is not null) sb.Append("    ").Append(string.Join(' ', shortDescription)).Append('\n');
        return sb.ToString();
    }

    static IEnumerable<string> Expand(string path)
    {
        foreach (var line in File.ReadAllText(path).ReplaceLineEndings("\n").Split('\n'))
        {
            var t = line.Trim();
            if (!t.StartsWith(IncludeStart, StringComparison.Ordinal) || !t.EndsWith("-->", StringComparison.Ordinal))
            {
                yield return line;
                continue;
            }
            var target = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, t[IncludeStart.Length..^3].Trim()));
            foreach (var included in File.ReadAllText(target).ReplaceLineEndings("\n").Split('\n').SkipWhile(l => !l.StartsWith("# ", StringComparison.Ordinal)).Skip(1))
                yield return included;
        }
    }
}
