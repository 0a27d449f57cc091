using System.Text;

namespace QTickets.Core.Configuration;

/// <summary>
/// Reads dotenv files the way users write them for cron and systemd: `KEY=value`, comments, `export `
/// prefixes, single or double quotes, CRLF line ends, a UTF-8 BOM, and blank values (which count as unset,
/// like the legacy loader's "first non-blank wins").
/// </summary>
public static class DotEnvFile
{
    public static IReadOnlyList<KeyValuePair<string, string>> Parse(string text, string origin)
    {
        var result = new List<KeyValuePair<string, string>>();
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        var lines = text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            if (line.StartsWith("export ", StringComparison.Ordinal)) line = line[7..].TrimStart();
            var eq = line.IndexOf('=');
            if (eq <= 0)
                throw new ConfigurationException(
                    $"{origin}, line {i + 1}: expected KEY=value. Fix the line or comment it out with '#'.");
            var key = line[..eq].Trim();
            if (!IsValidKey(key))
                throw new ConfigurationException(
                    $"{origin}, line {i + 1}: '{key}' is not a valid variable name (letters, digits and '_').");
            result.Add(new(key, ParseValue(line[(eq + 1)..].Trim(), origin, i + 1)));
        }
        return result;
    }

    public static IReadOnlyList<KeyValuePair<string, string>> Read(string path)
    {
        if (!File.Exists(path))
            throw new EnvFileNotFoundException(path);
        return Parse(File.ReadAllText(path, Encoding.UTF8), path);
    }

    static bool IsValidKey(string key) =>
        key.Length > 0 && !char.IsAsciiDigit(key[0]) && key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    static string ParseValue(string raw, string origin, int lineNo)
    {
        if (raw.Length == 0) return "";
        var quote = raw[0];
        if (quote is '"' or '\'')
        {
            var end = raw.IndexOf(quote, 1);
            // Double quotes allow escaped quotes; find the first unescaped one.
            if (quote == '"')
            {
                end = 1;
                while (end < raw.Length && !(raw[end] == '"' && raw[end - 1] != '\\')) end++;
                if (end >= raw.Length) end = -1;
            }
            if (end < 0)
                throw new ConfigurationException($"{origin}, line {lineNo}: the value opens a {quote} quote that never closes.");
            var inner = raw[1..end];
            return quote == '\'' ? inner : inner.Replace("\\n", "\n").Replace("\\\"", "\"").Replace("\\\\", "\\");
        }
        // An unquoted value ends at " #" (an inline comment).
        var hash = raw.IndexOf(" #", StringComparison.Ordinal);
        return (hash >= 0 ? raw[..hash] : raw).Trim();
    }
}
