namespace QTickets.Module.Tests.Harness;

/// <summary>Where the built module and tools are: out/ at the repository root (./build.sh build lays it out).</summary>
public static class ModuleLayout
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string OutDir => Path.Combine(RepoRoot, "out");

    public static string ModuleDir => Path.Combine(OutDir, "QTickets");

    public static string ManifestPath
    {
        get
        {
            var path = Path.Combine(ModuleDir, "QTickets.psd1");
            if (!File.Exists(path))
                throw new InvalidOperationException($"{path} is missing: run './build.sh build' before the module tests.");
            return path;
        }
    }

    static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "QTickets.PowerShell.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (QTickets.PowerShell.sln).");
    }
}
