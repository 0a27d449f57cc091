using System.IO.Compression;
using System.Management.Automation;
using System.Xml.Linq;
using QTickets.Module.Tests.Harness;

namespace QTickets.Module.Tests.Packaging;

/// <summary>build/New-QTicketsPackage.ps1 run once (in pwsh, as the Package target runs it) into a temp folder.</summary>
public sealed class BuiltPackage : IDisposable
{
    public string OutDir { get; } = Directory.CreateTempSubdirectory("qtickets-package-").FullName;
    public ProcessResult Run { get; }
    public string NupkgPath => Directory.GetFiles(OutDir, "QTickets.*.nupkg").Single();

    public BuiltPackage()
    {
        Run = ScriptRunner.Run(new[]
        {
            "-File", Path.Combine(ModuleLayout.RepoRoot, "build", "New-QTicketsPackage.ps1"),
            "-ModuleDir", ModuleLayout.ModuleDir, "-OutDir", OutDir,
        });
    }

    public void Dispose() => Directory.Delete(OutDir, recursive: true);
}

public sealed class PackageTests(BuiltPackage package) : IClassFixture<BuiltPackage>
{
    static readonly XNamespace Nuspec = "http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd";

    PSModuleInfo Manifest()
    {
        using var ps = new PowerShellSession(importModule: false);
        var r = ps.Run("Test-ModuleManifest $path", new Dictionary<string, object> { ["path"] = ModuleLayout.ManifestPath });
        Assert.Null(r.Terminating);
        return (PSModuleInfo)r.Output.Single().BaseObject;
    }

    [Fact]
    public void The_script_succeeds_and_writes_a_versioned_folder_and_a_nupkg()
    {
        Assert.True(package.Run.ExitCode == 0, package.Run.ToString());
        var version = Manifest().Version.ToString(3);
        Assert.Equal(Path.Combine(package.OutDir, $"QTickets.{version}.nupkg"), package.NupkgPath);
        var folder = Path.Combine(package.OutDir, "QTickets", version);
        var expected = Directory.GetFiles(ModuleLayout.ModuleDir, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(ModuleLayout.ModuleDir, f)).Order(StringComparer.Ordinal);
        var actual = Directory.GetFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(folder, f)).Order(StringComparer.Ordinal);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void The_nupkg_has_the_module_at_its_root_and_the_parts_NuGet_expects()
    {
        using var zip = ZipFile.OpenRead(package.NupkgPath);
        var names = zip.Entries.Select(e => e.FullName).ToList();
        Assert.Contains("QTickets.psd1", names);
        Assert.Contains("QTickets.Cmdlets.dll", names);
        Assert.Contains("QTickets.nuspec", names);
        Assert.Contains("[Content_Types].xml", names);
        Assert.Contains("_rels/.rels", names);
        Assert.Contains("en-US/QTickets.Cmdlets.dll-Help.xml", names);
        Assert.Contains("en-US/about_QTickets.help.txt", names);
        Assert.Contains("dependencies/QTickets.Engine.dll", names);
        Assert.Contains("dependencies/Polly.Core.dll", names);
        var psmdcp = Assert.Single(names, n => n.StartsWith("package/services/metadata/core-properties/", StringComparison.Ordinal) && n.EndsWith(".psmdcp", StringComparison.Ordinal));
        // Nothing of the module is missing, nothing else is at the root.
        var moduleFiles = Directory.GetFiles(ModuleLayout.ModuleDir, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(ModuleLayout.ModuleDir, f).Replace('\\', '/')).ToHashSet();
        Assert.Subset(names.ToHashSet(), moduleFiles);
        Assert.Equal(moduleFiles.Count + 4, names.Count);

        var rels = XDocument.Load(zip.GetEntry("_rels/.rels")!.Open());
        var targets = rels.Root!.Elements().Select(e => (string)e.Attribute("Target")!).ToList();
        Assert.Contains("/QTickets.nuspec", targets);
        Assert.Contains("/" + psmdcp, targets);
        var types = XDocument.Load(zip.GetEntry("[Content_Types].xml")!.Open());
        var extensions = types.Root!.Elements().Select(e => (string)e.Attribute("Extension")!).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var ext in names.Select(Path.GetExtension).Where(e => !string.IsNullOrEmpty(e)).Select(e => e!.TrimStart('.')))
            Assert.Contains(ext, extensions);
    }

    [Fact]
    public void The_nuspec_is_generated_from_the_manifest()
    {
        var manifest = Manifest();
        using var zip = ZipFile.OpenRead(package.NupkgPath);
        var metadata = XDocument.Load(zip.GetEntry("QTickets.nuspec")!.Open()).Root!.Element(Nuspec + "metadata")!;
        string Field(string name) => (string?)metadata.Element(Nuspec + name) ?? "";
        Assert.Equal("QTickets", Field("id"));
        Assert.Equal(manifest.Version.ToString(3), Field("version"));
        Assert.Equal(manifest.Author, Field("authors"));
        Assert.Equal(manifest.Description, Field("description"));
        Assert.Equal(manifest.Copyright, Field("copyright"));
        Assert.Equal(manifest.LicenseUri?.ToString(), Field("licenseUrl"));
        var tags = Field("tags").Split(' ');
        Assert.Subset(tags.ToHashSet(), manifest.Tags.ToHashSet());
        Assert.Contains("PSModule", tags);
        Assert.Contains("PSIncludes_Cmdlet", tags);
        foreach (var cmdlet in manifest.ExportedCmdlets.Keys)
        {
            Assert.Contains("PSCmdlet_" + cmdlet, tags);
            Assert.Contains("PSCommand_" + cmdlet, tags);
        }
        Assert.Equal(tags.Length, tags.Distinct().Count());
    }

    [Fact]
    public void The_module_imports_and_works_from_the_extracted_package()
    {
        var root = Directory.CreateTempSubdirectory("qtickets-installed-").FullName;
        try
        {
            // Where Install-PSResource would put it: <modules>/QTickets/<version>/, found by name through PSModulePath.
            var version = Manifest().Version.ToString(3);
            ZipFile.ExtractToDirectory(package.NupkgPath, Path.Combine(root, "QTickets", version));
            // Its own process: this one already loaded QTickets.Cmdlets (and the engine's load context) from out/QTickets.
            var r = ScriptRunner.Run(new[]
            {
                "-Command",
                $"Import-Module QTickets -RequiredVersion {version} -ErrorAction Stop; " +
                "(Get-Module QTickets).ModuleBase; " +
                "(Get-QTicketsConfig -Token 'package-test-token-0123').TokenFingerprint; " +
                "[System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext([QTickets.Cmdlets.Hosting.EngineHost]::Engine.GetType().Assembly).Name; " +
                "[QTickets.Cmdlets.Hosting.EngineLoadContext]::Instance.Directory; " +
                "(Get-Help Get-QTicketsOrder).Synopsis",
            }, new Dictionary<string, string> { ["PSModulePath"] = root });
            Assert.True(r.ExitCode == 0, r.ToString());
            var lines = r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var installed = Path.Combine(root, "QTickets", version);
            Assert.Equal(installed, lines[0]);
            Assert.Equal("p***3", lines[1]);
            Assert.Equal("QTickets.Engine", lines[2]);
            Assert.Equal(Path.Combine(installed, "dependencies"), lines[3]);
            Assert.StartsWith("Reads orders", lines[4]);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
