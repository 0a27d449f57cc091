namespace QTickets.Core.Diagnostics;

/// <summary>
/// What one step of the debug protocol sent and got back, and what that says about its hypothesis. Never holds
/// the token (the Authorization header is shown as a fingerprint); bodies have personal data masked unless
/// Test-QTicketsEndpoint ran with -IncludePersonalData.
/// </summary>
public sealed record EndpointProbeResult
{
    public string Step { get; init; } = "";
    public string Hypothesis { get; init; } = "";
    public ProbeKind Kind { get; init; }
    public string Method { get; init; } = "";
    /// <summary>The full request URL (the token is sent in a header, never in the URL).</summary>
    public string Url { get; init; } = "";
    public string? RequestBody { get; init; }
    /// <summary>HTTP status; null when no answer came (see <see cref="Finding"/>).</summary>
    public int? StatusCode { get; init; }
    public string? ContentType { get; init; }
    /// <summary>Orders in data (a list answer), or 1 for a single order.</summary>
    public int? ItemCount { get; init; }
    public int? PagingTotal { get; init; }
    public int? PerPage { get; init; }
    public int? CurrentPage { get; init; }
    public int? PaidCount { get; init; }
    public int? UnpaidCount { get; init; }
    /// <summary>Paid orders whose payed_at lies in the window the step asked for.</summary>
    public int? InWindowCount { get; init; }
    public ProbeWindow? Window { get; init; }
    public long? FirstOrderId { get; init; }
    public long? LastOrderId { get; init; }
    public DateTimeOffset? EarliestCreatedAt { get; init; }
    public DateTimeOffset? EarliestPayedAt { get; init; }
    public DateTimeOffset? LatestPayedAt { get; init; }
    /// <summary>True when the answer holds exactly the orders of the default first page (step A0).</summary>
    public bool? SameAsDefaultPage { get; init; }
    public long ElapsedMs { get; init; }
    /// <summary>A request-id style header of the answer, if the server sent one (QTickets never has so far).</summary>
    public string? RequestId { get; init; }
    public ProbeOutcome Outcome { get; init; }
    /// <summary>One line: what the answer shows.</summary>
    public string Finding { get; init; } = "";
    public DateTimeOffset StartedAt { get; init; }
    /// <summary>File name stem of the step's artifacts, e.g. stepA1_get_orders.</summary>
    public string Artifact { get; init; } = "";
    /// <summary>The request headers as sent, with the token as a fingerprint.</summary>
    public string? RequestHeaders { get; init; }
    /// <summary>Status line and headers of the answer, as received.</summary>
    public string? ResponseHeaders { get; init; }
    /// <summary>The answer's body: personal data masked unless PersonalDataIncluded. The environment text for step 0.</summary>
    public string? ResponseBody { get; init; }
    public bool PersonalDataIncluded { get; init; }

    internal IReadOnlyList<long> OrderIds { get; init; } = Array.Empty<long>();

    public override string ToString() =>
        $"{Step} {Method} {(StatusCode?.ToString() ?? "-")} {Outcome}: {Finding}";
}

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
