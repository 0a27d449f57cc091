namespace QTickets.Core.Diagnostics;

/// <summary>
/// One step of the debug protocol: a hypothesis and the request that tests it. The expectations say what an
/// answer must look like for the hypothesis to hold; the analyser compares them with what came back.
/// </summary>
internal sealed class ProbeStep
{
    public required string Id { get; init; }
    /// <summary>File name stem in the legacy protocol's style, e.g. stepA1_get_orders.</summary>
    public required string Artifact { get; init; }
    public required string Hypothesis { get; init; }
    public required ProbeKind Kind { get; init; }
    public required string Method { get; init; }
    /// <summary>Builds the path and query (relative to the base URL) and the JSON body, if any.</summary>
    public Func<ProbeWindowSet, string, (string PathAndQuery, string? Body)>? Request { get; init; }
    /// <summary>The form in plain words, for the verdict ("flat query parameters", "GET with a JSON body").</summary>
    public string Form { get; init; } = "";

    public bool? ExpectPayed { get; init; }
    /// <summary>Which window the request asks for; null when it asks for none.</summary>
    public ProbeWindowKind? Window { get; init; }
    public int? ExpectPerPage { get; init; }
    public int? ExpectPage { get; init; }
}
