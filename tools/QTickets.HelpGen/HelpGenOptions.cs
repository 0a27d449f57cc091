namespace QTickets.HelpGen;

/// <summary>
/// The command line: where the markdown is, which assembly holds the cmdlets, where the help goes; optionally the
/// module manifest (its ProjectUri is the project's one address, from which every cmdlet's online page is derived)
/// and the folder for those pages (docs/cmdlets).
/// </summary>
public sealed record HelpGenOptions(string DocsDir, string AssemblyPath, string OutDir, string? ManifestPath, string? PagesDir)
{
    public static HelpGenOptions? Parse(string[] args)
    {
        string? docs = null, assembly = null, output = null, manifest = null, pages = null;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--docs": docs = args[i + 1]; break;
                case "--assembly": assembly = args[i + 1]; break;
                case "--out": output = args[i + 1]; break;
                case "--manifest": manifest = args[i + 1]; break;
                case "--pages": pages = args[i + 1]; break;
                default: return null;
            }
        }
        return docs is null || assembly is null || output is null
            ? null
            : new HelpGenOptions(Path.GetFullPath(docs), Path.GetFullPath(assembly), Path.GetFullPath(output),
                manifest is null ? null : Path.GetFullPath(manifest), pages is null ? null : Path.GetFullPath(pages));
    }
}
