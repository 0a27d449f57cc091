namespace QTickets.HelpGen;

/// <summary>What a cmdlet's help lacks, or says about parameters the cmdlet no longer has.</summary>
public static class HelpLint
{
    public static IEnumerable<string> Problems(CommandMetadataView cmdlet, CommandHelpDoc? doc, string path)
    {
        if (doc is null)
        {
            yield return $"{cmdlet.Name} has no help: write {path}";
            yield break;
        }
        if (!string.Equals(doc.Name, cmdlet.Name, StringComparison.OrdinalIgnoreCase))
            yield return $"{path} is titled '{doc.Name}', not '# {cmdlet.Name}'";
        if (doc.Synopsis.Length == 0) yield return $"{cmdlet.Name}: no SYNOPSIS";
        if (doc.Description.Length == 0) yield return $"{cmdlet.Name}: no DESCRIPTION";
        if (doc.Examples.Count < 2) yield return $"{cmdlet.Name}: {doc.Examples.Count} examples (at least 2)";
        foreach (var p in cmdlet.Parameters.Where(p => !doc.Parameters.TryGetValue(p.Name, out var text) || text.Length == 0))
            yield return $"{cmdlet.Name}: parameter -{p.Name} has no description";
        foreach (var stale in doc.Parameters.Keys.Where(k => cmdlet.Parameters.All(p => !p.Name.Equals(k, StringComparison.OrdinalIgnoreCase))))
            yield return $"{cmdlet.Name}: {path} describes -{stale}, which the cmdlet does not have";
    }
}
