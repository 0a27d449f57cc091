using QTickets.Module.Tests.Harness;

namespace QTickets.Module.Tests.Help;

/// <summary>
/// What "full help" means for one cmdlet, checked through Get-Help -Full in the engine: each problem is one line
/// naming the cmdlet and what it lacks. Used on the module's cmdlets (no problem allowed) and on an engine cmdlet
/// that has no help installed (problems expected), so the check is known to bite.
/// </summary>
public static class HelpCheck
{
    public const string Script = """
        param([string[]] $Names)
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
        function Text($items) { (@($items) | ForEach-Object { $_.Text }) -join "`n" }
        foreach ($name in $Names) {
            $cmd = Get-Command $name -ErrorAction Stop
            $help = Get-Help $name -Full
            $synopsis = "$($help.Synopsis)".Trim()
            # Without MAML the engine makes up a synopsis from the syntax: that is no synopsis.
            if (-not $synopsis -or $synopsis.StartsWith($name + ' ') -or $synopsis.StartsWith($name + [Environment]::NewLine) -or $synopsis -eq $name) { "${name}: no synopsis" }
            if (-not (Text $help.description).Trim()) { "${name}: no description" }
            $documented = @{}
            foreach ($p in @($help.parameters.parameter)) { if ($p) { $documented[$p.name] = (Text $p.description).Trim() } }
            foreach ($p in $cmd.Parameters.Keys) {
                if ($common -contains $p) { continue }
                if (-not $documented.ContainsKey($p)) { "${name}: parameter -$p missing from help" }
                elseif (-not $documented[$p]) { "${name}: parameter -$p has no description" }
            }
            $examples = @($help.examples.example | Where-Object { $_ -and "$($_.code)".Trim() })
            if ($examples.Count -lt 2) { "${name}: $($examples.Count) examples (at least 2)" }
            foreach ($e in $examples) { if (-not (Text $e.remarks).Trim()) { "${name}: example '$($e.title)' has no text" } }
            $inputs = @($help.inputTypes.inputType | Where-Object { $_ -and "$($_.type.name)".Trim() })
            if ($inputs.Count -eq 0) { "${name}: no INPUTS" }
            $outputs = @($help.returnValues.returnValue | ForEach-Object { "$($_.type.name)".Trim() } | Where-Object { $_ })
            if ($outputs.Count -eq 0) { "${name}: no OUTPUTS" }
            foreach ($t in @($cmd.OutputType)) {
                if ($t.Name -and $outputs -notcontains $t.Name) { "${name}: OUTPUTS do not name its output type $($t.Name)" }
            }
            if (@($help.relatedLinks.navigationLink | Where-Object { $_ -and $_.linkText }).Count -eq 0) { "${name}: no RELATED LINKS" }
        }
        """;

    public static IReadOnlyList<string> Problems(PowerShellSession ps, IEnumerable<string> names)
    {
        var r = ps.Run(". ([scriptblock]::Create($script)) -Names $names",
            new Dictionary<string, object> { ["script"] = Script, ["names"] = names.ToArray() });
        if (r.Terminating is not null) throw r.Terminating;
        Assert.Empty(r.Errors);
        return r.Output.Select(o => o.ToString()).ToList();
    }
}
