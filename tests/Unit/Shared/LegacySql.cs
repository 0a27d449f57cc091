using System.Text.RegularExpressions;

namespace QTickets.Tests.Shared;

/// <summary>
/// The legacy loader's SQL files (tests/fixtures/legacy) run as its install scripts ran them, statement by statement,
/// against a test database: `zakaz.` and `zakaz_test.` become that database.
/// </summary>
public static class LegacySql
{
    public const string Bootstrap = "bootstrap_schema.sql";
    public const string Api = "2025-qtickets-api.sql";
    public const string UtmPlan = "2025-qtickets-api-utm-plan.sql";
    public const string PromoHotfix = "2025-qtickets-api-promo-hotfix.sql";
    public const string Final = "2025-qtickets-api-final.sql";
    public const string SmokeChecks = "smoke_checks_qtickets_api.sql";

    public static string PathOf(string file) => Path.Combine(Fixtures.Dir, "legacy", file);

    /// <summary>The file's statements without comments, for <paramref name="database"/>.</summary>
    public static IReadOnlyList<string> Statements(string file, string database)
    {
        var text = Regex.Replace(File.ReadAllText(PathOf(file)), @"/\*.*?\*/", "", RegexOptions.Singleline);
        text = string.Join("\n", text.Split('\n').Where(l => !l.TrimStart().StartsWith("--", StringComparison.Ordinal)));
        return Regex.Split(text, @";\s*\n|;\s*$")
            .Select(s => s.Trim())
            .Where(s => s.Length > 0)
            .Select(s => s.Replace("zakaz_test.", database + ".", StringComparison.Ordinal)
                .Replace("zakaz.", database + ".", StringComparison.Ordinal)
                .Replace("DATABASE IF NOT EXISTS zakaz", "DATABASE IF NOT EXISTS " + database, StringComparison.Ordinal)
                .Replace("database = 'zakaz'", $"database = '{database}'", StringComparison.Ordinal))
            .ToList();
    }

    /// <summary>
    /// Runs the files in order; returns the statements the server refused ("file: CREATE TABLE IF NOT EXISTS name
    /// (code N)"), as
    /// the legacy's clickhouse-client would have reported them.
    /// </summary>
    public static IReadOnlyList<string> Run(TestClickHouse ch, params string[] files)
    {
        var refused = new List<string>();
        foreach (var file in files)
            foreach (var statement in Statements(file, ch.Database))
            {
                try { ch.Admin(statement); }
                catch (InvalidOperationException ex)
                {
                    var code = Regex.Match(ex.Message, @"Code: (\d+)").Groups[1].Value;
                    var target = Regex.Match(statement, @"^(\w+(?: OR REPLACE| IF NOT EXISTS| IF EXISTS)?(?: \w+)*?) \w+\.(\w+)");
                    refused.Add($"{file}: {target.Groups[1].Value} {target.Groups[2].Value} (code {code})");
                }
            }
        return refused;
    }
}
