namespace QTickets.Core.Configuration;

public enum ConfigValueKind { Text, Secret, Url, Integer, Boolean, TimeZone }

/// <summary>
/// One configuration setting: its property name, the canonical variable and the legacy aliases
/// (checked in order, first non-blank wins), its kind and default.
/// </summary>
public sealed record ConfigSetting(
    string Name, string Variable, string[] Aliases, ConfigValueKind Kind, string? Default, string Help)
{
    public IEnumerable<string> AllVariables => Aliases.Prepend(Variable);

    /// <summary>Every setting the module reads. The order is the order Get-QTicketsConfig -Source shows.</summary>
    public static readonly IReadOnlyList<ConfigSetting> All = new ConfigSetting[]
    {
        new("Token", "QTICKETS_TOKEN", ["QTICKETS_API_TOKEN"], ConfigValueKind.Secret, null,
            "the REST API token from " + TokenSource.CabinetLocation),
        new("BaseUrl", "QTICKETS_BASE_URL", ["QTICKETS_API_BASE_URL"], ConfigValueKind.Url, "https://qtickets.ru/api/rest/v1",
            "REST v1 base URL"),
        new("OrgName", "ORG_NAME", ["QTICKETS_ORG_NAME"], ConfigValueKind.Text, "",
            "organisation label (the API ignores it; kept for logs)"),
        new("SinceHours", "QTICKETS_SINCE_HOURS", ["QTICKETS_LOOKBACK_HOURS"], ConfigValueKind.Integer, "2",
            "hours re-read before the stored watermark on every run"),
        new("InitialBackfillHours", "QTICKETS_INITIAL_BACKFILL_HOURS", [], ConfigValueKind.Integer, "720",
            "hours loaded by the first run on an empty database"),
        new("MaxPagesInFlight", "QTICKETS_MAX_PAGES_IN_FLIGHT", [], ConfigValueKind.Integer, "8",
            "most API pages requested at once; the client finds the API's capacity below it (-Parallelism pins a number)"),
        new("ClickHouseHost", "CLICKHOUSE_HOST", ["CH_HOST"], ConfigValueKind.Text, "localhost", "ClickHouse host"),
        new("ClickHousePort", "CLICKHOUSE_PORT", ["CH_PORT", "CLICKHOUSE_HTTP_PORT"], ConfigValueKind.Integer, "8123",
            "ClickHouse HTTP port"),
        new("ClickHouseDatabase", "CLICKHOUSE_DB", ["CLICKHOUSE_DATABASE", "CH_DATABASE"], ConfigValueKind.Text, "zakaz",
            "ClickHouse database"),
        new("ClickHouseUser", "CLICKHOUSE_USER", ["CLICKHOUSE_USER_WRITE", "CH_USER", "CH_USER_WRITE", "CLICKHOUSE_USERNAME"],
            ConfigValueKind.Text, "etl_writer", "ClickHouse user"),
        new("ClickHousePassword", "CLICKHOUSE_PASSWORD", ["CLICKHOUSE_PASSWORD_WRITE", "CH_PASSWORD", "CH_PASSWORD_WRITE"],
            ConfigValueKind.Secret, "", "ClickHouse password"),
        new("ClickHouseSecure", "CLICKHOUSE_SECURE", ["CH_SECURE"], ConfigValueKind.Boolean, "false", "use HTTPS to ClickHouse"),
        new("ClickHouseVerifySsl", "CLICKHOUSE_VERIFY_SSL", ["CH_VERIFY_SSL"], ConfigValueKind.Boolean, "true",
            "verify ClickHouse's TLS certificate"),
        new("ClickHouseAllowPlainHttp", "CLICKHOUSE_ALLOW_PLAIN_HTTP", [], ConfigValueKind.Boolean, "false",
            "allow plain http to a ClickHouse on another machine (a network you trust, e.g. a Docker network)"),
        new("TimeZone", "TZ", ["DEFAULT_TZ"], ConfigValueKind.TimeZone, "Europe/Moscow",
            "wall-clock zone of sale_ts and the daily facts"),
        new("ReportTimeZone", "REPORT_TZ", ["QTICKETS_REPORT_TZ"], ConfigValueKind.TimeZone, "Europe/Moscow",
            "zone of report days (reconciliation)"),
        new("JobName", "JOB_NAME", ["QTICKETS_JOB_NAME"], ConfigValueKind.Text, "qtickets_api", "meta_job_runs.job"),
        new("DryRun", "DRY_RUN", ["QTICKETS_DRY_RUN"], ConfigValueKind.Boolean, "false", "fetch and transform, write nothing"),
        new("WebhookSecret", "QTICKETS_WEBHOOK_SECRET", [], ConfigValueKind.Secret, null,
            "the webhook secret set in the QTickets cabinet (deliveries are signed with it)"),
        new("WebhookListen", "QTICKETS_WEBHOOK_LISTEN", [], ConfigValueKind.Text, "127.0.0.1",
            "address the webhook receiver listens on (loopback: behind a reverse proxy with TLS)"),
        new("WebhookPort", "QTICKETS_WEBHOOK_PORT", [], ConfigValueKind.Integer, "8088", "port of the webhook receiver"),
        new("WebhookPath", "QTICKETS_WEBHOOK_PATH", [], ConfigValueKind.Text, "/qtickets/webhook", "the one path deliveries are accepted on"),
    };

    public static ConfigSetting Named(string name) =>
        All.FirstOrDefault(s => s.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown setting '{name}'.", nameof(name));
}

/// <summary>Where one effective setting came from (Get-QTicketsConfig -Source). Secrets show as fingerprints.</summary>
public sealed class ConfigSource
{
    public string Setting { get; init; } = "";
    public string Value { get; init; } = "";
    /// <summary>The variable name that supplied it, the parameter name, or "(default)".</summary>
    public string Variable { get; init; } = "";
    /// <summary>"parameter", an env file's path, "environment", or "default".</summary>
    public string Origin { get; init; } = "";
}
