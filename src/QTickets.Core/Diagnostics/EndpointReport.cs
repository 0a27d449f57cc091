namespace QTickets.Core.Diagnostics;

/// <summary>What Save-QTicketsEndpointReport wrote.</summary>
public sealed class EndpointReport
{
    public string Directory { get; init; } = "";
    /// <summary>The folder as .tar.gz (beside the folder); null with -NoArchive.</summary>
    public string? Archive { get; init; }
    /// <summary>File names inside <see cref="Directory"/>, sorted.</summary>
    public IReadOnlyList<string> Files { get; init; } = Array.Empty<string>();
    public VerdictKind Kind { get; init; }
    public string Headline { get; init; } = "";

    public override string ToString() => Directory;
}
