namespace QTickets.Tests.Shared;

/// <summary>Paths of the genuine QTickets captures (personal data replaced) and the repository.</summary>
public static class Fixtures
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>../shared/fixtures beside the checkout, or QTICKETS_FIXTURES_DIR, or the copy in tests/fixtures.</summary>
    public static string Dir
    {
        get
        {
            var fromEnv = Environment.GetEnvironmentVariable("QTICKETS_FIXTURES_DIR");
            if (!string.IsNullOrEmpty(fromEnv)) return fromEnv;
            return Path.Combine(RepoRoot, "tests", "fixtures");
        }
    }

    public static string PathOf(string name) => Path.Combine(Dir, name);

    public static byte[] Bytes(string name) => File.ReadAllBytes(PathOf(name));

    static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "QTickets.PowerShell.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (QTickets.PowerShell.sln).");
    }
}
