using System.Text.RegularExpressions;
using QTickets.Core.Configuration;
using QTickets.Tests.Shared;

namespace QTickets.Unit.Tests.Configuration;

/// <summary>Where the token is in the cabinet is said once and the same way wherever a person reads it.</summary>
public class TokenSourceTests
{
    [Fact]
    public void Every_text_that_names_a_screen_of_the_cabinet_names_the_same_one()
    {
        var roots = new[] { "README.md", "docs", "src", "scripts" }.Select(p => Path.Combine(Fixtures.RepoRoot, p));
        var files = roots.SelectMany(r => File.Exists(r) ? new[] { r } : Directory.GetFiles(r, "*", SearchOption.AllDirectories))
            .Where(f => f.EndsWith(".md", StringComparison.Ordinal) || f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".ps1", StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) &&
                        !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal) &&
                        !f.Contains("QTickets.Sandbox", StringComparison.Ordinal));
        var screen = new Regex(@"Settings\s*[–-]\s*\w+|Настройки\s*[–-]\s*\w+");
        var problems = new List<string>();
        var named = 0;
        foreach (var file in files)
        {
            var text = Regex.Replace(File.ReadAllText(file), @"\s+", " ");
            foreach (Match m in screen.Matches(text))
            {
                named++;
                var around = text.Substring(Math.Max(0, m.Index - 40), Math.Min(text.Length - Math.Max(0, m.Index - 40), 200));
                if (!around.Contains("Settings – Main (Настройки – Основное), at the bottom of the page", StringComparison.Ordinal))
                    problems.Add($"{Path.GetRelativePath(Fixtures.RepoRoot, file)}: '{m.Value}' in \"{around}\"");
            }
        }
        Assert.True(named >= 3, $"only {named} mentions found");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.Contains("Settings – Main (Настройки – Основное), at the bottom of the page", TokenSource.CabinetLocation);
    }
}
