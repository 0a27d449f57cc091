using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using QTickets.Module.Tests.Harness;

namespace QTickets.Module.Tests.Isolation;

/// <summary>
/// Every connection parameter has one owner: it is declared by exactly one type of the shipped cmdlet assembly
/// (the API ones by the parameter classes offered as dynamic parameters, the ClickHouse ones by the ClickHouse
/// base), and every cmdlet that talks to the API or ClickHouse offers it from there, with the same help.
/// </summary>
public sealed class ParameterOwnershipTests
{
    static readonly string[] s_connection =
        { "Token", "BaseUrl", "Parallelism", "MaxParallelism", "MaxAttempts", "ClickHouseHost", "ClickHousePort", "Database", "Credential" };

    [Fact]
    public void Each_connection_parameter_is_declared_by_one_type()
    {
        var path = Path.Combine(ModuleLayout.ModuleDir, "QTickets.Cmdlets.dll");
        using var pe = new PEReader(File.OpenRead(path));
        var md = pe.GetMetadataReader();
        var owners = new Dictionary<string, List<string>>();
        foreach (var typeHandle in md.TypeDefinitions)
        {
            var type = md.GetTypeDefinition(typeHandle);
            foreach (var propertyHandle in type.GetProperties())
            {
                var name = md.GetString(md.GetPropertyDefinition(propertyHandle).Name);
                if (!s_connection.Contains(name)) continue;
                if (!owners.TryGetValue(name, out var list)) owners[name] = list = new();
                list.Add(md.GetString(type.Name));
            }
        }
        Assert.All(s_connection, p => Assert.True(owners.TryGetValue(p, out var o) && o.Count == 1,
            $"-{p} is declared by {(owners.TryGetValue(p, out var t) ? string.Join(", ", t) : "no type")}; it must have exactly one owner."));
    }

    [Fact]
    public void The_api_and_load_cmdlets_offer_the_same_connection_parameters_with_the_same_help()
    {
        using var ps = new PowerShellSession();
        var lines = ps.Run("""
            foreach ($c in 'Get-QTicketsOrder','Get-QTicketsEvent','Get-QTicketsInventory','Invoke-QTicketsLoad','Compare-QTicketsClickHouse') {
                foreach ($p in 'Token','BaseUrl','Parallelism','MaxParallelism','MaxAttempts') {
                    $meta = (Get-Command $c).Parameters[$p]
                    $help = (Get-Help $c -Parameter $p).description.Text -join ' '
                    "$c|$p|$($meta.ParameterType.Name)|$($meta.Attributes.Where({ $_ -is [System.Management.Automation.ValidateRangeAttribute] }).MaxRange)|$($help.Length -gt 0)"
                }
            }
            foreach ($c in 'Test-QTicketsEndpoint','Get-QTicketsConfig') {
                foreach ($p in 'Token','BaseUrl') { "$c|$p|$((Get-Command $c).Parameters[$p].ParameterType.Name)" }
            }
            """).Output.Select(o => o.ToString()).ToList();
        Assert.Equal(5 * 5 + 2 * 2, lines.Count);
        foreach (var p in new[] { "Token", "BaseUrl", "Parallelism", "MaxParallelism", "MaxAttempts" })
        {
            var forms = lines.Where(l => l.Split('|')[1] == p && l.Split('|').Length == 5).Select(l => string.Join('|', l.Split('|')[1..])).Distinct().ToList();
            Assert.Single(forms);
            Assert.EndsWith("|True", forms[0]);
        }
        Assert.All(lines.Where(l => l.Split('|').Length == 3), l => Assert.EndsWith("String", l));
    }
}
