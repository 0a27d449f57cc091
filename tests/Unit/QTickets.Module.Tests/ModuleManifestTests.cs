using System.Diagnostics;
using System.Management.Automation;
using QTickets.Module.Tests.Harness;

namespace QTickets.Module.Tests;

public class ModuleManifestTests
{
    [Fact]
    public void Test_ModuleManifest_passes_and_declares_what_the_design_card_asks()
    {
        using var ps = new PowerShellSession(importModule: false);
        var r = ps.Run("Test-ModuleManifest -Path $path -ErrorAction Stop", new Dictionary<string, object> { ["path"] = ModuleLayout.ManifestPath });
        Assert.Null(r.Terminating);
        Assert.Empty(r.Errors);
        var info = Assert.IsType<PSModuleInfo>(Assert.Single(r.Output).BaseObject);
        Assert.Equal(new Version(7, 6), info.PowerShellVersion);
        Assert.Equal(new[] { "Core" }, info.CompatiblePSEditions);
        Assert.Equal("QTickets.Cmdlets.dll", info.RootModule);
    }

    [Fact]
    public void Every_exported_cmdlet_exists_and_every_cmdlet_is_exported()
    {
        using var ps = new PowerShellSession();
        var exported = ps.Run("(Get-Module QTickets).ExportedCmdlets.Keys").Output.Select(o => o.ToString()).OrderBy(x => x).ToList();
        var declared = ps.Run("(Test-ModuleManifest $path).ExportedCmdlets.Keys",
            new Dictionary<string, object> { ["path"] = ModuleLayout.ManifestPath }).Output.Select(o => o.ToString()).OrderBy(x => x).ToList();
        var implemented = typeof(PSObject).Assembly == null ? new List<string>() :
            ps.Run("[QTickets.Cmdlets.QTicketsCmdlet].Assembly.GetTypes() | Where-Object { $_.IsPublic -and -not $_.IsAbstract -and $_.IsSubclassOf([System.Management.Automation.PSCmdlet]) } | ForEach-Object { $a = $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]; $a.VerbName + '-' + $a.NounName }")
              .Output.Select(o => o.ToString()).OrderBy(x => x).ToList();
        Assert.Contains("Get-QTicketsConfig", exported);
        Assert.Equal(declared, exported);
        Assert.Equal(implemented, exported);
    }

    [Fact]
    public void The_engine_and_its_dependencies_load_into_the_module_load_context()
    {
        using var ps = new PowerShellSession();
        var r = ps.Run("""
            $engine = [QTickets.Cmdlets.Hosting.EngineHost]::Engine
            [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($engine.GetType().Assembly).Name
            [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext([QTickets.Core.Model.Order].Assembly).Name
            $engine.DependencyVersions['Polly.Core']
            """);
        Assert.Null(r.Terminating);
        Assert.Equal(new[] { "QTickets.Engine", "Default", "8.0.0.0" }, r.Output.Select(o => o.ToString()));
    }

    [Fact]
    public void Import_is_fast_when_warm()
    {
        using (new PowerShellSession()) { }
        using var ps = new PowerShellSession(importModule: false);
        var sw = Stopwatch.StartNew();
        var r = ps.Run("Import-Module $path", new Dictionary<string, object> { ["path"] = ModuleLayout.ManifestPath });
        sw.Stop();
        Assert.Null(r.Terminating);
        // Recorded in BENCHMARKS.md with bench/import-time.sh; this bound only catches a regression by an order of magnitude.
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"warm import took {sw.ElapsedMilliseconds} ms");
    }
}
