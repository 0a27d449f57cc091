namespace QTickets.Core.Configuration;

/// <summary>
/// The effective configuration of the module. Secrets are <see cref="Secret"/>s, which print as
/// fingerprints only.
/// </summary>
public sealed class QTicketsConfig
{
    public Secret? Token { get; init; }
    public string TokenFingerprint => Token?.Fingerprint ?? "(not set)";
    public Uri BaseUrl { get; init; } = new("https://qtickets.ru/api/rest/v1");
    public string OrgName { get; init; } = "";
    public int SinceHours { get; init; }
    public int InitialBackfillHours { get; init; }
    /// <summary>The ceiling of the API client's pages in flight (QTICKETS_MAX_PAGES_IN_FLIGHT).</summary>
    public int MaxPagesInFlight { get; init; } = 8;
    public string ClickHouseHost { get; init; } = "localhost";
    public int ClickHousePort { get; init; }
    public string ClickHouseDatabase { get; init; } = "";
    public string ClickHouseUser { get; init; } = "";
    public Secret? ClickHousePassword { get; init; }
    public bool ClickHouseSecure { get; init; }
    public bool ClickHouseVerifySsl { get; init; }
    /// <summary>Plain http to a ClickHouse on another machine was allowed on purpose (CLICKHOUSE_ALLOW_PLAIN_HTTP).</summary>
    public bool ClickHouseAllowPlainHttp { get; init; }
    public string TimeZone { get; init; } = "Europe/Moscow";
    public string ReportTimeZone { get; init; } = "Europe/Moscow";
    public string JobName { get; init; } = "qtickets_api";
    public bool DryRun { get; init; }

    /// <summary>Where each value came from, in <see cref="ConfigSetting.All"/> order.</summary>
    public IReadOnlyList<ConfigSource> Sources { get; init; } = Array.Empty<ConfigSource>();

    public string ClickHouseUrl => $"{(ClickHouseSecure ? "https" : "http")}://{ClickHouseHost}:{ClickHousePort}";

    public override string ToString() => $"QTickets {BaseUrl} token {TokenFingerprint} -> {ClickHouseUrl}/{ClickHouseDatabase}";
}
