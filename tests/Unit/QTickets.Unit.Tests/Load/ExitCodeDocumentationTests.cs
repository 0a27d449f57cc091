using System.Text.RegularExpressions;
using QTickets.Core.Load;
using QTickets.Tests.Shared;

namespace QTickets.Unit.Tests.Load;

/// <summary>Every exit code of the scheduled load is where a person looks for it, and the systemd unit fails on the ones that mean missing sales.</summary>
public class ExitCodeDocumentationTests
{
    static string Read(params string[] path) => File.ReadAllText(Path.Combine(new[] { Fixtures.RepoRoot }.Concat(path).ToArray()));

    [Fact]
    public void Every_exit_code_has_a_row_in_the_README_and_about_QTickets_tables()
    {
        foreach (var (name, text) in new[] { ("README.md", Read("README.md")), ("about_QTickets.md", Read("docs", "help", "about_QTickets.md")) })
            foreach (var code in Enum.GetValues<LoadExitCode>())
                Assert.True(Regex.IsMatch(text, $@"^\| {(int)code} \| ", RegexOptions.Multiline), $"{name} has no row for exit code {(int)code} ({code})");
    }

    [Fact]
    public void Rejected_orders_are_exit_8_in_the_loader_script_help_and_the_cmdlet_help()
    {
        Assert.Equal(8, (int)LoadExitCode.Rejected);
        Assert.Contains("8 partial", Read("scripts", "Invoke-QTicketsLoader.ps1"));
        Assert.Contains("8 partial", Read("docs", "help", "Invoke-QTicketsLoad.md"));
    }

    [Fact]
    public void The_systemd_unit_counts_only_a_held_lock_as_success_never_rejected_orders()
    {
        var unit = Read("scripts", "systemd", "qtickets-loader.service");
        var success = Regex.Matches(unit, @"^SuccessExitStatus=(.*)$", RegexOptions.Multiline)
            .SelectMany(m => m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.DoesNotContain(((int)LoadExitCode.Rejected).ToString(System.Globalization.CultureInfo.InvariantCulture), success);
        Assert.All(success, s => Assert.NotEqual(LoadExitCode.Rejected, Enum.Parse<LoadExitCode>(s)));
    }
}
