using System.Text;

namespace QTickets.HelpGen;

/// <summary>The little markdown handling help text needs: paragraphs, fences, and nothing that hides words.</summary>
public static class Markdown
{
    /// <summary>Trimmed text with blank-line-separated paragraphs; line breaks inside a paragraph are kept.</summary>
    public static string Clean(IEnumerable<string> lines)
    {
        var text = string.Join("\n", lines).Trim('\n', ' ', '\r');
        return text;
    }

    public static IEnumerable<string> WithoutFences(IEnumerable<string> lines, string language)
    {
        var skipping = false;
        foreach (var line in lines)
        {
            var t = line.Trim();
            if (!skipping && t.Equals("```" + language, StringComparison.OrdinalIgnoreCase)) { skipping = true; continue; }
            if (skipping) { if (t == "```") skipping = false; continue; }
            yield return line;
        }
    }

    /// <summary>The first fenced block's content, and every line outside it.</summary>
    public static (string Code, List<string> Remarks) SplitFirstFence(IEnumerable<string> lines)
    {
        var code = new StringBuilder();
        var rest = new List<string>();
        var state = 0; // 0 before, 1 inside, 2 after
        foreach (var line in lines)
        {
            if (state < 2 && line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                state++;
                continue;
            }
            if (state == 1) code.Append(line).Append('\n');
            else rest.Add(line);
        }
        return (code.ToString().TrimEnd('\n'), rest);
    }

    /// <summary>Paragraphs for MAML: blank lines separate them.</summary>
    public static IEnumerable<string> Paragraphs(string text)
    {
        var current = new List<string>();
        var fenced = false;
        foreach (var line in text.Split('\n'))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                fenced = !fenced;
                continue;
            }
            if (!fenced && line.Trim().Length == 0)
            {
                if (current.Count > 0) yield return string.Join("\n", current);
                current.Clear();
                continue;
            }
            current.Add(fenced ? "    " + line : line);
        }
        if (current.Count > 0) yield return string.Join("\n", current);
    }
}
