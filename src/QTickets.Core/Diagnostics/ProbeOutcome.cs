namespace QTickets.Core.Diagnostics;

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
