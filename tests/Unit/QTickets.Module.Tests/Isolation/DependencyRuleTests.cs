using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using QTickets.Module.Tests.Harness;

namespace QTickets.Module.Tests.Isolation;

/// <summary>
/// The three assemblies as the module ships them, read from their metadata: Core references no PowerShell and
/// no other QTickets assembly; Engine references Core and never the cmdlets; Cmdlets references Core and reaches
/// Engine only through its load context (no reference). Nothing grants its internals to another shipped assembly.
/// </summary>
public sealed class DependencyRuleTests
{
    static readonly string[] s_powerShell = { "System.Management.Automation", "Microsoft.PowerShell" };

    static (List<string> References, List<string> InternalsVisibleTo) Read(string path)
    {
        Assert.True(File.Exists(path), $"{path} is missing: run './build.sh build' first.");
        using var pe = new PEReader(File.OpenRead(path));
        var md = pe.GetMetadataReader();
        var references = md.AssemblyReferences.Select(h => md.GetString(md.GetAssemblyReference(h).Name)).ToList();
        var friends = new List<string>();
        foreach (var handle in md.GetAssemblyDefinition().GetCustomAttributes())
        {
            var attribute = md.GetCustomAttribute(handle);
            if (attribute.Constructor.Kind != HandleKind.MemberReference) continue;
            var type = md.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent;
            if (type.Kind != HandleKind.TypeReference || md.GetString(md.GetTypeReference((TypeReferenceHandle)type).Name) != "InternalsVisibleToAttribute") continue;
            var blob = md.GetBlobReader(attribute.Value);
            blob.ReadUInt16(); // prolog
            friends.Add(blob.ReadSerializedString()!);
        }
        return (references, friends);
    }

    static string Shipped(string name) => name == "QTickets.Engine"
        ? Path.Combine(ModuleLayout.ModuleDir, "dependencies", name + ".dll")
        : Path.Combine(ModuleLayout.ModuleDir, name + ".dll");

    [Fact]
    public void Core_references_no_PowerShell_and_no_other_QTickets_assembly()
    {
        var (references, friends) = Read(Shipped("QTickets.Core"));
        Assert.DoesNotContain(references, r => s_powerShell.Any(r.StartsWith));
        Assert.DoesNotContain(references, r => r.StartsWith("QTickets.", StringComparison.Ordinal));
        Assert.All(friends, f => Assert.EndsWith("Tests", f.Replace("QTickets.Benchmarks", "Tests", StringComparison.Ordinal)));
    }

    [Fact]
    public void Engine_references_Core_only_and_never_PowerShell()
    {
        var (references, friends) = Read(Shipped("QTickets.Engine"));
        Assert.Equal(new[] { "QTickets.Core" }, references.Where(r => r.StartsWith("QTickets.", StringComparison.Ordinal)));
        Assert.DoesNotContain(references, r => s_powerShell.Any(r.StartsWith));
        Assert.All(friends, f => Assert.EndsWith("Tests", f.Replace("QTickets.Benchmarks", "Tests", StringComparison.Ordinal)));
    }

    [Fact]
    public void Cmdlets_reference_Core_and_load_Engine_only_through_the_load_context()
    {
        var (references, friends) = Read(Shipped("QTickets.Cmdlets"));
        Assert.Equal(new[] { "QTickets.Core" }, references.Where(r => r.StartsWith("QTickets.", StringComparison.Ordinal)));
        Assert.Contains("System.Management.Automation", references);
        Assert.Empty(friends);
        // Core is loaded once, in the default context: the engine's folder must not carry a second copy.
        Assert.False(File.Exists(Path.Combine(ModuleLayout.ModuleDir, "dependencies", "QTickets.Core.dll")));
    }
}
