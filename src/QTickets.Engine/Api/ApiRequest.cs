namespace QTickets.Engine.Api;

/// <summary>One GET to the REST API: a path under the base URL and an optional JSON body (filters, sort, page).</summary>
/// <param name="Page">The page asked for, only for messages; null for single resources.</param>
internal sealed record ApiRequest(string Path, string? Body, int? Page = null)
{
    /// <summary>How every message names the request, e.g. "GET /orders page 3". Never the body (it may hold filter values of no use in a log line).</summary>
    public string Describe => Page is int p ? $"GET {Path} page {p}" : $"GET {Path}";
}
