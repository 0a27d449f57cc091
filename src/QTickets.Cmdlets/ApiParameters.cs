using System.Management.Automation;
using QTickets.Core.Configuration;
using QTickets.Core.Contracts;

namespace QTickets.Cmdlets;

/// <summary>
/// The API connection parameters, declared once. A cmdlet offers them as its dynamic parameters
/// (<see cref="QTicketsCmdlet.ApiParameters"/>): C# gives a cmdlet one base class, and the cmdlets that read the API
/// do not share one (Invoke-QTicketsLoad's base is the ClickHouse one), so inheritance cannot give every API
/// cmdlet the same declaration. PowerShell binds, validates, completes and defaults these like static parameters
/// ($PSDefaultParameterValues included), and the help generator documents them with the cmdlet's own.
/// </summary>
public class ApiConnectionParameters
{
    /// <summary>The REST API token; overrides QTICKETS_TOKEN.</summary>
    [Parameter] [ValidateNotNullOrEmpty] public string? Token { get; set; }

    /// <summary>The REST v1 base URL, e.g. a sandbox's; overrides QTICKETS_BASE_URL.</summary>
    [Parameter] [ValidateNotNullOrEmpty] public string? BaseUrl { get; set; }

    internal void AddTo(ConfigLoader loader) => loader.WithParameter("Token", Token).WithParameter("BaseUrl", BaseUrl);
}

/// <summary>The connection parameters of the cmdlets that read pages of lists: how many at once, how often to retry.</summary>
public sealed class ApiReadParameters : ApiConnectionParameters
{
    /// <summary>
    /// Pins the pages requested at once (1 = one page at a time; a load also reads that many seat maps at once).
    /// Without it the client finds the API's capacity while reading, between 1 and -MaxParallelism.
    /// </summary>
    [Parameter] [ValidateRange(1, 64)] public int? Parallelism { get; set; }

    /// <summary>The most pages requested at once when not pinned; overrides QTICKETS_MAX_PAGES_IN_FLIGHT (default 8).</summary>
    [Parameter] [ValidateRange(1, 64)] public int? MaxParallelism { get; set; }

    /// <summary>Attempts per request before the command fails (429, 5xx, timeouts, network errors).</summary>
    [Parameter] [ValidateRange(1, 20)] public int MaxAttempts { get; set; } = new ApiOptions().MaxAttempts;

    /// <summary>The API options of a command: pinned by -Parallelism, else adaptive up to -MaxParallelism or the configured ceiling.</summary>
    internal ApiOptions OptionsFor(QTicketsConfig config) => new()
    {
        Parallelism = Parallelism,
        MaxParallelism = MaxParallelism ?? config.MaxPagesInFlight,
        MaxAttempts = MaxAttempts,
    };
}
