using System.Text.RegularExpressions;

namespace QTickets.HelpGen;

/// <summary>
/// Where a cmdlet's help lives on the web: the page docs/cmdlets/&lt;Name&gt;.md of the project whose address the
/// module manifest names (PrivateData.PSData.ProjectUri). Get-Help -Online opens the first related link with a URI
/// when the cmdlet declares no HelpUri, so that link is this page ("Online Version:", as platyPS writes it).
/// </summary>
public sealed class OnlineHelp
{
    public const string LinkText = "Online Version:";
    public const string PagesFolder = "docs/cmdlets";

    readonly string _projectUri;

    OnlineHelp(string projectUri) => _projectUri = projectUri.TrimEnd('/');

    public string ProjectUri => _projectUri;

    public string PageUri(string cmdlet) => $"{_projectUri}/blob/main/{PagesFolder}/{cmdlet}.md";

    static readonly Regex s_projectUri = new(@"^\s*ProjectUri\s*=\s*'(?<uri>[^']+)'", RegexOptions.Multiline | RegexOptions.Compiled);

    /// <summary>The manifest's ProjectUri; an error names the manifest when it has none (no page could be linked).</summary>
    public static OnlineHelp FromManifest(string manifestPath)
    {
        var match = s_projectUri.Match(File.ReadAllText(manifestPath));
        if (!match.Success || !Uri.TryCreate(match.Groups["uri"].Value, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
            throw new InvalidOperationException($"{manifestPath} names no https ProjectUri in PrivateData.PSData: add it, every cmdlet's online help is derived from it.");
        return new OnlineHelp(uri.ToString());
    }
}
