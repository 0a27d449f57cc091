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

/// <summary>The kind of request a protocol step sends, which decides how its answer is judged.</summary>
public enum ProbeKind
{
    Environment,
    /// <summary>GET /orders with nothing: the default first page every flat-parameter answer is compared with.</summary>
    Baseline,
    /// <summary>GET /orders with flat query parameters, as the legacy loader and the manual protocol sent them.</summary>
    FlatQuery,
    /// <summary>GET /orders with the documented JSON body (where, orderBy, paging).</summary>
    JsonBody,
    ById,
    /// <summary>POST probes: sent only with -IncludeWriteProbes (POST /orders may create an order).</summary>
    Write,
    Repeat503,
    Head,
}

/// <summary>What one protocol step showed about its hypothesis.</summary>
public enum ProbeOutcome
{
    /// <summary>Not a test of a request form: the environment, a single order, HEAD, a repeated request.</summary>
    Info,
    /// <summary>The server applied what was sent: only paid orders, inside the window, page size/page as asked.</summary>
    Applied,
    /// <summary>HTTP 200, but the server did not apply what was sent (e.g. the default first page came back).</summary>
    Ignored,
    /// <summary>HTTP 200 with no orders: the filter may be applied, but there is nothing to prove it with.</summary>
    Empty,
    /// <summary>An HTTP error (403, 404, 503, ...) or an answer that is not what the API sends.</summary>
    Failed,
    /// <summary>No HTTP answer at all: connection refused or reset, DNS, TLS, timeout.</summary>
    Unreachable,
    /// <summary>Not sent on purpose (POST probes without -IncludeWriteProbes).</summary>
    Skipped,
    /// <summary>Nothing to do: no 503 to repeat, no order id to fetch.</summary>
    NotApplicable,
}

/// <summary>A raw answer (or the lack of one) before analysis.</summary>
internal sealed class ProbeResponse
{
    public int? StatusCode { get; init; }
    public string? ReasonPhrase { get; init; }
    public string? ContentType { get; init; }
    public string? Body { get; init; }
    public string? Headers { get; init; }
    public string? RequestId { get; init; }
    /// <summary>Why there is no answer (connection refused, timeout ...).</summary>
    public string? Error { get; init; }
    public long ElapsedMs { get; init; }
}

/// <summary>What a protocol run needs: where, as whom, which steps, and how careful to be.</summary>
public sealed class ProbeSettings
{
    public required Uri BaseUrl { get; init; }
    /// <summary>The bearer token. Sent only in the Authorization header; everything written shows the fingerprint.</summary>
    public required string Token { get; init; }
    public required string TokenFingerprint { get; init; }
    public string Organization { get; init; } = "";
    /// <summary>Step ids to run (case-insensitive); null = all. Step 0 always runs; A0 runs whenever A–C or J1 do.</summary>
    public IReadOnlyCollection<string>? Steps { get; init; }
    public long? OrderId { get; init; }
    public bool IncludeWriteProbes { get; init; }
    public bool IncludePersonalData { get; init; }
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Lines describing the machine for step 0 (PowerShell and module versions come from the cmdlet).</summary>
    public IReadOnlyList<string> EnvironmentLines { get; init; } = Array.Empty<string>();
    /// <summary>Overrides the HTTP handler (tests); the handler is disposed with the run.</summary>
    public HttpMessageHandler? Handler { get; init; }
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
