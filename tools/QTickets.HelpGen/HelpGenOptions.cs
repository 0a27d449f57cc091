namespace QTickets.HelpGen;

/// <summary>The command line: where the markdown is, which assembly holds the cmdlets, where the help goes.</summary>
public sealed record HelpGenOptions(string DocsDir, string AssemblyPath, string OutDir)
{
    public static HelpGenOptions? Parse(string[] args)
    {
        string? docs = null, assembly = null, output = null;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--docs": docs = args[i + 1]; break;
                case "--assembly": assembly = args[i + 1]; break;
                case "--out": output = args[i + 1]; break;
                default: return null;
            }
        }
        return docs is null || assembly is null || output is null
            ? null
            : new HelpGenOptions(Path.GetFullPath(docs), Path.GetFullPath(assembly), Path.GetFullPath(output));
    }
}
