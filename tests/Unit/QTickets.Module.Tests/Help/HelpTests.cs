using System.Management.Automation;
using System.Management.Automation.Language;
using QTickets.Module.Tests.Harness;

namespace QTickets.Module.Tests.Help;

/// <summary>
/// The built help (out/QTickets/en-US, made by tools/QTickets.HelpGen from docs/help) as users see it through
/// Get-Help in the real engine. Every exported cmdlet counts, including ones added after these tests were written.
/// </summary>
public sealed class HelpTests : IDisposable
{
    readonly PowerShellSession _ps = new();

    public void Dispose() => _ps.Dispose();

    List<string> Exported() =>
        _ps.Run("(Get-Module QTickets).ExportedCmdlets.Keys").Output.Select(o => o.ToString()).OrderBy(n => n, StringComparer.Ordinal).ToList();

    [Fact]
    public void The_MAML_and_the_about_topics_are_in_the_module_folder()
    {
        var enUs = Path.Combine(ModuleLayout.ModuleDir, "en-US");
        Assert.True(File.Exists(Path.Combine(enUs, "QTickets.Cmdlets.dll-Help.xml")), "en-US/QTickets.Cmdlets.dll-Help.xml is missing");
        Assert.True(File.Exists(Path.Combine(enUs, "about_QTickets.help.txt")));
        Assert.True(File.Exists(Path.Combine(enUs, "about_QTickets_Troubleshooting.help.txt")));
    }

    [Fact]
    public void Every_exported_cmdlet_has_full_help()
    {
        var exported = Exported();
        Assert.True(exported.Count >= 12, $"only {exported.Count} cmdlets exported");
        var problems = HelpCheck.Problems(_ps, exported);
        Assert.True(problems.Count == 0,
            "Help is incomplete (write or fix docs/help/<cmdlet>.md, then ./build.sh build):\n" + string.Join("\n", problems));
    }

    [Fact]
    public void The_check_fails_for_a_cmdlet_without_help()
    {
        // The engine's own cmdlets have no help installed in this host: the check must say so, not pass.
        var problems = HelpCheck.Problems(_ps, new[] { "Get-Module" });
        Assert.Contains("Get-Module: no synopsis", problems);
        Assert.Contains(problems, p => p.StartsWith("Get-Module: parameter -", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Get-Module: 0 examples", StringComparison.Ordinal));
    }

    [Fact]
    public void Syntax_and_parameter_attributes_come_from_the_compiled_cmdlet()
    {
        var r = _ps.Run("""
            $p = (Get-Help Get-QTicketsOrder -Parameter Id)
            $p.required; $p.position; $p.pipelineInput; $p.type.name
            (Get-Help Get-QTicketsOrder -Parameter SinceHours).defaultValue
            @((Get-Help Get-QTicketsOrder).syntax.syntaxItem).Count
            """);
        Assert.Null(r.Terminating);
        Assert.Equal(new[] { "true", "0", "True (ByValue, ByPropertyName)", "Int64[]", "24", "4" }, r.Output.Select(o => o.ToString()));
    }

    [Fact]
    public void Examples_call_only_parameters_the_cmdlets_have()
    {
        var exported = Exported();
        var r = _ps.Run("""
            foreach ($name in $names) {
                $i = 0
                foreach ($e in @((Get-Help $name).examples.example)) { $i++; [pscustomobject]@{ Cmdlet = $name; N = $i; Code = "$($e.code)" } }
            }
            """, new Dictionary<string, object> { ["names"] = exported.ToArray() });
        Assert.Null(r.Terminating);
        var parameters = exported.ToDictionary(n => n, n => _ps.Run($"(Get-Command {n}).Parameters.Keys").Output.Select(o => o.ToString()).ToList());
        var problems = new List<string>();
        foreach (var example in r.Output)
        {
            var where = $"{example.Properties["Cmdlet"].Value} example {example.Properties["N"].Value}";
            var code = (string)example.Properties["Code"].Value;
            // Cron lines and other non-PowerShell text are commented or quoted in the examples; the rest must parse.
            var ast = Parser.ParseInput(code, out _, out var errors);
            if (errors.Length > 0) problems.Add($"{where}: does not parse: {errors[0].Message}");
            foreach (CommandAst command in ast.FindAll(a => a is CommandAst, true))
            {
                var name = command.GetCommandName();
                if (name is null || !parameters.TryGetValue(name, out var known)) continue;
                foreach (var used in command.CommandElements.OfType<CommandParameterAst>())
                {
                    var matches = known.Where(k => k.StartsWith(used.ParameterName, StringComparison.OrdinalIgnoreCase)).ToList();
                    if (matches.Count == 0 && !known.Contains(used.ParameterName, StringComparer.OrdinalIgnoreCase))
                        problems.Add($"{where}: {name} has no parameter -{used.ParameterName}");
                }
            }
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void About_topics_have_their_short_description_as_synopsis()
    {
        var r = _ps.Run("Get-Help about_QTickets* | ForEach-Object { $_.Name + '|' + $_.Synopsis }");
        Assert.Null(r.Terminating);
        var topics = r.Output.Select(o => o.ToString()).OrderBy(t => t, StringComparer.Ordinal).ToList();
        Assert.Equal(2, topics.Count);
        var main = Assert.Single(topics, t => t.StartsWith("about_QTickets|", StringComparison.Ordinal));
        Assert.StartsWith("about_QTickets|Loading QTickets ticket sales into ClickHouse", main);
        Assert.EndsWith("exit codes and privacy.", main);
        Assert.Contains(topics, t => t.StartsWith("about_QTickets_Troubleshooting|What to do when the QTickets API seems to return no sales", StringComparison.Ordinal));
    }

    [Fact]
    public void About_topics_are_found_by_Get_Help()
    {
        var r = _ps.Run("Get-Help about_QTickets; '----'; Get-Help about_QTickets_Troubleshooting");
        Assert.Null(r.Terminating);
        Assert.Empty(r.Errors);
        var text = string.Join("\n", r.Output.Select(o => o.ToString()));
        var parts = text.Split("----");
        foreach (var expected in new[] { "TOPIC", "about_QTickets", "SHORT DESCRIPTION", "QTICKETS_TOKEN", "watermark", "lookback", "idempoten",
                     "Exit codes", "| 4 | locked", "| 7 | drift", "Privacy", "-IncludePersonalData" })
            Assert.Contains(expected, parts[0], StringComparison.OrdinalIgnoreCase);
        // docs/troubleshooting.md is included at build time: the verdicts and what to do.
        foreach (var expected in new[] { "about_QTickets_Troubleshooting", "WorkingFormFound", "NoWorkingForm", "TokenRejected", "ApiUnavailable", "support_ticket_draft.md" })
            Assert.Contains(expected, parts[1], StringComparison.Ordinal);
    }
}
