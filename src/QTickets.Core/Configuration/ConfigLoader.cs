using System.Collections;
using System.Globalization;
using System.Net;

namespace QTickets.Core.Configuration;

/// <summary>What a caller needs to be present; format errors are reported whatever is needed.</summary>
[Flags]
public enum ConfigNeeds { None = 0, Api = 1, ClickHouse = 2, All = Api | ClickHouse, Webhook = 4 }

/// <summary>
/// Builds the effective configuration from, highest first: parameters, env files (a later file wins over an
/// earlier one, like the legacy --envfile then --ch-env), the process environment, defaults. Every problem is
/// collected and reported at once, each naming the variable, where it came from, and the fix.
/// </summary>
public sealed class ConfigLoader
{
    readonly Dictionary<string, string> _parameters = new(StringComparer.OrdinalIgnoreCase);
    readonly List<(string Path, IReadOnlyList<KeyValuePair<string, string>> Values)> _files = new();
    readonly IDictionary _environment;

    public ConfigLoader(IDictionary? environment = null) =>
        _environment = environment ?? Environment.GetEnvironmentVariables();

    /// <summary>Warnings found while reading (e.g. an env file others can read). Never contain values.</summary>
    public List<string> Warnings { get; } = new();

    /// <summary>A value given as a cmdlet parameter; <paramref name="setting"/> is a <see cref="ConfigSetting.Name"/>.</summary>
    public ConfigLoader WithParameter(string setting, string? value)
    {
        if (value is not null) _parameters[ConfigSetting.Named(setting).Name] = value;
        return this;
    }

    public ConfigLoader WithEnvFile(string path)
    {
        var full = Path.GetFullPath(path);
        _files.Add((full, DotEnvFile.Read(full)));
        WarnIfReadableByOthers(full);
        return this;
    }

    public QTicketsConfig Load(ConfigNeeds needs = ConfigNeeds.None)
    {
        var problems = new List<string>();
        var sources = new List<ConfigSource>();
        var values = new Dictionary<string, (string Raw, ConfigSource Source)>();

        foreach (var setting in ConfigSetting.All)
        {
            var (raw, variable, origin) = Resolve(setting);
            var shown = raw is null ? "" : setting.Kind == ConfigValueKind.Secret ? Secret.FingerprintOf(raw) : raw;
            var source = new ConfigSource { Setting = setting.Name, Value = shown, Variable = variable, Origin = origin };
            sources.Add(source);
            if (raw is not null) values[setting.Name] = (raw, source);
        }

        string? Text(string name) => values.TryGetValue(name, out var v) ? v.Raw : null;

        int Integer(string name, int min, int max)
        {
            if (!values.TryGetValue(name, out var v)) return 0;
            if (int.TryParse(v.Raw.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max)
                return n;
            problems.Add($"{Describe(v.Source)} must be a whole number from {min} to {max}; got '{v.Raw}'.");
            return 0;
        }

        bool Boolean(string name)
        {
            if (!values.TryGetValue(name, out var v)) return false;
            switch (v.Raw.Trim().ToLowerInvariant())
            {
                case "true" or "1" or "yes" or "on": return true;
                case "false" or "0" or "no" or "off": return false;
                default:
                    problems.Add($"{Describe(v.Source)} must be one of true/false, 1/0, yes/no, on/off; got '{v.Raw}'.");
                    return false;
            }
        }

        string Zone(string name)
        {
            if (!values.TryGetValue(name, out var v)) return "Europe/Moscow";
            var id = v.Raw.Trim().TrimStart(':');
            if (TimeZoneInfo.TryFindSystemTimeZoneById(id, out _)) return id;
            problems.Add($"{Describe(v.Source)} is not a known time zone: '{v.Raw}'. Use an IANA name such as Europe/Moscow.");
            return "Europe/Moscow";
        }

        var token = Text("Token");
        if (token is not null && TokenFlaw(token.Trim()) is { } flaw)
            problems.Add($"{Describe(values["Token"].Source)} contains {flaw}: a token is printable ASCII only, and the request " +
                         "header could not carry it. Copy the token again from " + TokenSource.CabinetLocation + " as plain text, " +
                         "without spaces, line breaks or invisible characters.");
        if (token is null && needs.HasFlag(ConfigNeeds.Api))
            problems.Add("QTickets token is missing: looked for " + string.Join(", ", ConfigSetting.Named("Token").AllVariables) +
                         " in parameters, env files and the environment. Set QTICKETS_TOKEN in an env file given with -EnvFile " +
                         "(or in the environment), or pass -Token.");

        var baseUrl = ParseBaseUrl(values["BaseUrl"], problems);
        var problemsBeforeHost = problems.Count;
        var chHost = values.TryGetValue("ClickHouseHost", out var host) ? ParseHost(host, problems) : "localhost";
        var hostIsValid = problems.Count == problemsBeforeHost;
        var chPassword = Text("ClickHousePassword");

        var config = new QTicketsConfig
        {
            Token = token is null ? null : new Secret(token.Trim()),
            BaseUrl = baseUrl,
            OrgName = Text("OrgName") ?? "",
            SinceHours = Integer("SinceHours", 0, 24 * 366),
            InitialBackfillHours = Integer("InitialBackfillHours", 0, 24 * 366 * 10),
            MaxPagesInFlight = Integer("MaxPagesInFlight", 1, 64),
            ClickHouseHost = chHost,
            ClickHousePort = Integer("ClickHousePort", 1, 65535),
            ClickHouseDatabase = (Text("ClickHouseDatabase") ?? "").Trim(),
            ClickHouseUser = (Text("ClickHouseUser") ?? "").Trim(),
            ClickHousePassword = chPassword is null ? null : new Secret(chPassword),
            ClickHouseSecure = Boolean("ClickHouseSecure"),
            ClickHouseVerifySsl = Boolean("ClickHouseVerifySsl"),
            ClickHouseAllowPlainHttp = Boolean("ClickHouseAllowPlainHttp"),
            TimeZone = Zone("TimeZone"),
            ReportTimeZone = Zone("ReportTimeZone"),
            JobName = (Text("JobName") ?? "qtickets_api").Trim(),
            DryRun = Boolean("DryRun"),
            WebhookSecret = Text("WebhookSecret") is { } webhookSecret ? new Secret(webhookSecret.Trim()) : null,
            WebhookListen = (Text("WebhookListen") ?? "127.0.0.1").Trim(),
            WebhookPort = Integer("WebhookPort", 1, 65535),
            WebhookPath = (Text("WebhookPath") ?? "/qtickets/webhook").Trim(),
            Sources = sources,
        };

        if (config.ClickHouseDatabase.Length > 0 && !config.ClickHouseDatabase.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            problems.Add($"{Describe(values["ClickHouseDatabase"].Source)} may hold only letters, digits and '_'; got '{config.ClickHouseDatabase}'.");
        if (needs.HasFlag(ConfigNeeds.ClickHouse) && config.ClickHouseHost.Length == 0)
            problems.Add("ClickHouse host is empty: set CLICKHOUSE_HOST (or CH_HOST).");
        // Like the API base URL: the password and the sales would cross the network unencrypted. ClickHouse often runs
        // on a private network (a Docker network, a LAN), so a person can allow that on purpose.
        if (needs.HasFlag(ConfigNeeds.ClickHouse) && hostIsValid && !config.ClickHouseSecure && !config.ClickHouseAllowPlainHttp &&
            !IsLoopbackHost(config.ClickHouseHost))
            problems.Add($"{Describe(values["ClickHouseHost"].Source)} is '{config.ClickHouseHost}', another machine, over plain http " +
                         "(CLICKHOUSE_SECURE is false): the ClickHouse password and the sales data would cross the network unencrypted. " +
                         "Use TLS (CLICKHOUSE_SECURE=true and ClickHouse's https port, usually 8443), or, on a network you trust " +
                         "(e.g. a Docker network), set CLICKHOUSE_ALLOW_PLAIN_HTTP=true.");

        if (needs.HasFlag(ConfigNeeds.Webhook))
        {
            if (config.WebhookSecret is not { Length: >= 16 })
                problems.Add(config.WebhookSecret is null
                    ? "The webhook secret is missing: set QTICKETS_WEBHOOK_SECRET in an env file given with -EnvFile to the secret entered " +
                      "in the QTickets cabinet's webhook settings (a random string of 16 or more characters, e.g. from 'openssl rand -hex 24')."
                    : "QTICKETS_WEBHOOK_SECRET is shorter than 16 characters: a short secret can be guessed, and then anyone can post sales. " +
                      "Set a random one of 16 or more characters in the cabinet and in the env file (e.g. 'openssl rand -hex 24').");
            if (!config.WebhookPath.StartsWith('/') || config.WebhookPath.Any(c => c is '?' or '#' or ' ' || char.IsControl(c)))
                problems.Add($"QTICKETS_WEBHOOK_PATH must be a URL path starting with '/', without '?', '#' or spaces; got '{config.WebhookPath}'.");
        }
        if (problems.Count > 0) throw new ConfigurationException(problems);
        return config;
    }

    static Uri ParseBaseUrl((string Raw, ConfigSource Source) v, List<string> problems)
    {
        var raw = v.Raw.Trim().TrimEnd('/');
        if (!Uri.TryCreate(raw, UriKind.Absolute, out var uri) || (uri.Scheme != "https" && uri.Scheme != "http") || uri.Host.Length == 0)
        {
            problems.Add($"{Describe(v.Source)} is not an http(s) URL: '{v.Raw}'. Expected e.g. https://qtickets.ru/api/rest/v1.");
            return new Uri("https://qtickets.ru/api/rest/v1");
        }
        if (uri.Scheme == "http" && !IsLoopback(uri))
            problems.Add($"{Describe(v.Source)} uses plain http to '{uri.Host}': the token would cross the network unencrypted. " +
                         "Use https://, or http only for a sandbox on this machine (127.0.0.1, ::1, localhost).");
        return uri;
    }

    static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>This machine by its literal name or address (no DNS lookup: a configuration check does no IO).</summary>
    internal static bool IsLoopbackHost(string host)
    {
        var h = host.Trim('[', ']').TrimEnd('.');
        return h.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(h, out var ip) && IPAddress.IsLoopback(ip));
    }

    /// <summary>
    /// A host name or IP address, nothing else: a URL or a port here would make every ClickHouse call fail with
    /// an unparsable address. The fix names the variables the parts belong in.
    /// </summary>
    static string ParseHost((string Raw, ConfigSource Source) v, List<string> problems)
    {
        var host = v.Raw.Trim();
        if (host.Contains("://", StringComparison.Ordinal) || host.Contains('/'))
        {
            var fix = Uri.TryCreate(host.Contains("://", StringComparison.Ordinal) ? host : "http://" + host, UriKind.Absolute, out var url) && url.Host.Length > 0
                ? $"Set CLICKHOUSE_HOST={url.Host}" + (url.IsDefaultPort ? "" : $" and CLICKHOUSE_PORT={url.Port}") +
                  (url.Scheme == "https" ? " and CLICKHOUSE_SECURE=true" : "") + "."
                : "Set CLICKHOUSE_HOST to the host name or IP address only, the port in CLICKHOUSE_PORT, https as CLICKHOUSE_SECURE=true.";
            problems.Add($"{Describe(v.Source)} must be a host name or IP address, not a URL: '{v.Raw}'. {fix}");
            return host;
        }
        var bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        if (bare.IndexOfAny(['[', ']']) < 0 && IPAddress.TryParse(bare, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
            return $"[{ip}]";
        if (Uri.CheckHostName(host) is UriHostNameType.Dns or UriHostNameType.IPv4)
            return host;
        var colon = host.LastIndexOf(':');
        problems.Add(colon > 0 && int.TryParse(host[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            ? $"{Describe(v.Source)} must be a host name or IP address without a port: '{v.Raw}'. Set CLICKHOUSE_HOST={host[..colon]} and CLICKHOUSE_PORT={port}."
            : $"{Describe(v.Source)} is not a host name or IP address: '{v.Raw}'. Use e.g. localhost, 10.0.0.5 or ch.example.org.");
        return host;
    }

    /// <summary>What makes a token unusable in an Authorization header, described without its value; null when none.</summary>
    static string? TokenFlaw(string token)
    {
        for (var i = 0; i < token.Length; i++)
        {
            var c = token[i];
            if (c is > ' ' and < (char)0x7F) continue;
            // The code point only for what cannot be seen: a visible character would be a piece of the token.
            if (char.IsWhiteSpace(c)) return $"white space (U+{(int)c:X4}) at position {i + 1}";
            if (char.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.Control)
                return $"an invisible character (U+{(int)c:X4}) at position {i + 1}";
            return $"a character that is not ASCII at position {i + 1}";
        }
        return null;
    }

    static string Describe(ConfigSource s) => s.Origin switch
    {
        "parameter" => $"Parameter -{s.Variable}",
        "environment" => $"{s.Variable} (from the environment)",
        "default" => $"The default of {s.Setting}",
        _ => $"{s.Variable} (from {s.Origin})",
    };

    (string? Raw, string Variable, string Origin) Resolve(ConfigSetting setting)
    {
        if (_parameters.TryGetValue(setting.Name, out var p)) return (p, setting.Name, "parameter");
        for (var i = _files.Count - 1; i >= 0; i--)
            foreach (var name in setting.AllVariables)
                for (var j = _files[i].Values.Count - 1; j >= 0; j--)
                    if (_files[i].Values[j] is var kv && kv.Key == name && kv.Value.Trim().Length > 0)
                        return (kv.Value, name, _files[i].Path);
        foreach (var name in setting.AllVariables)
            if (_environment[name] is string e && e.Trim().Length > 0)
                return (e, name, "environment");
        return (setting.Default, "(default)", "default");
    }

    void WarnIfReadableByOthers(string path)
    {
        if (OperatingSystem.IsWindows()) return;
        var mode = File.GetUnixFileMode(path);
        if ((mode & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0)
            Warnings.Add($"Env file '{path}' is readable by group or others and may hold the token: run 'chmod 600 {path}'.");
    }
}
