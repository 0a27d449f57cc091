// QTickets.HelpGen: the module's help, built from docs/help/*.md (the words) and the compiled cmdlets (the facts).
//   dotnet QTickets.HelpGen.dll --docs docs/help --assembly out/QTickets/QTickets.Cmdlets.dll --out out/QTickets/en-US
// Writes <Assembly>.dll-Help.xml (MAML: syntax, parameter types, mandatory/position/pipeline flags and defaults come
// from the engine's own CommandMetadata, so they cannot drift from the code) and about_*.help.txt for every
// docs/help/about_*.md. With --manifest, every cmdlet's first related link is its online page (from the manifest's
// ProjectUri), and --pages writes those pages (docs/cmdlets/<Name>.md, committed) from the same words and facts.
// A cmdlet or parameter without words is reported on stderr, not fatal: the help tests fail
// on it, while other engineers' builds keep working.
using QTickets.HelpGen;

var options = HelpGenOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: QTickets.HelpGen --docs <docs/help> --assembly <QTickets.Cmdlets.dll> --out <module/en-US> [--manifest <QTickets.psd1> [--pages <docs/cmdlets>]]");
    return 64;
}

Directory.CreateDirectory(options.OutDir);
var cmdlets = CmdletCatalog.Load(options.AssemblyPath);
var docs = new List<(CommandMetadataView, CommandHelpDoc?)>();
foreach (var cmdlet in cmdlets)
{
    var path = Path.Combine(options.DocsDir, cmdlet.Name + ".md");
    var doc = File.Exists(path) ? CommandHelpDoc.Parse(File.ReadAllText(path)) : null;
    foreach (var problem in HelpLint.Problems(cmdlet, doc, path)) Console.Error.WriteLine("QTickets.HelpGen: warning: " + problem);
    docs.Add((cmdlet, doc));
}

var online = options.ManifestPath is null ? null : OnlineHelp.FromManifest(options.ManifestPath);
var maml = Path.Combine(options.OutDir, Path.GetFileName(options.AssemblyPath) + "-Help.xml");
MamlWriter.Write(docs, maml, online);
Console.WriteLine($"QTickets.HelpGen: {docs.Count} cmdlets -> {maml}");

if (online is not null && options.PagesDir is not null)
{
    CmdletPageWriter.WriteAll(docs, options.PagesDir, online);
    Console.WriteLine($"QTickets.HelpGen: {docs.Count} online help pages -> {options.PagesDir}");
}

foreach (var about in Directory.EnumerateFiles(options.DocsDir, "about_*.md").Order(StringComparer.Ordinal))
{
    var target = Path.Combine(options.OutDir, Path.GetFileNameWithoutExtension(about) + ".help.txt");
    File.WriteAllText(target, AboutTopicWriter.ToText(about), new System.Text.UTF8Encoding(false));
    Console.WriteLine($"QTickets.HelpGen: {Path.GetFileName(about)} -> {target}");
}
return 0;
