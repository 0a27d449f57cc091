namespace QTickets.Core.Diagnostics;

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
