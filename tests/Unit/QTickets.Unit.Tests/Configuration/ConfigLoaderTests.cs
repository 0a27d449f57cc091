using System.Collections;
using QTickets.Core.Configuration;

namespace QTickets.Unit.Tests.Configuration;

public sealed class ConfigLoaderTests : IDisposable
{
    const string Token = "tok-SECRET-9f8e7d6c5b4a";
    readonly string _dir = Directory.CreateTempSubdirectory("qtickets-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string EnvFile(string name, string text, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, mode);
        return path;
    }

    static ConfigLoader Loader(params (string, string)[] env) =>
        new(new Hashtable(env.ToDictionary(e => e.Item1, e => (object)e.Item2)));

    [Fact]
    public void Parameters_beat_env_files_which_beat_the_environment_which_beats_defaults()
    {
        var file = EnvFile("a.env", "QTICKETS_TOKEN=from-file-0000000000\nCLICKHOUSE_HOST=file-host\nCH_PORT=9999\n");
        var config = Loader(("QTICKETS_TOKEN", "from-env-00000000000"), ("CLICKHOUSE_HOST", "env-host"), ("JOB_NAME", "env-job"),
                ("CLICKHOUSE_ALLOW_PLAIN_HTTP", "true"))
            .WithEnvFile(file)
            .WithParameter("ClickHouseHost", "param-host")
            .Load(ConfigNeeds.All);

        Assert.Equal("param-host", config.ClickHouseHost);
        Assert.Equal(9999, config.ClickHousePort);
        Assert.Equal("env-job", config.JobName);
        Assert.Equal("f***0", config.TokenFingerprint);
        Assert.Equal("zakaz", config.ClickHouseDatabase);

        var sources = config.Sources.ToDictionary(s => s.Setting);
        Assert.Equal(("parameter", "ClickHouseHost"), (sources["ClickHouseHost"].Origin, sources["ClickHouseHost"].Variable));
        Assert.Equal((file, "CH_PORT"), (sources["ClickHousePort"].Origin, sources["ClickHousePort"].Variable));
        Assert.Equal(("environment", "JOB_NAME"), (sources["JobName"].Origin, sources["JobName"].Variable));
        Assert.Equal(("default", "(default)"), (sources["ClickHouseDatabase"].Origin, sources["ClickHouseDatabase"].Variable));
    }

    [Fact]
    public void Legacy_aliases_are_read_and_the_canonical_name_wins_within_a_source()
    {
        var config = Loader(("QTICKETS_API_TOKEN", "alias-token-123456789"), ("QTICKETS_API_BASE_URL", "https://example.test/api/rest/v1/"),
                ("QTICKETS_ORG_NAME", "org"), ("QTICKETS_LOOKBACK_HOURS", "6"), ("CLICKHOUSE_DATABASE", "db1"), ("CH_DATABASE", "db2"),
                ("CLICKHOUSE_USER_WRITE", "writer"), ("CH_PASSWORD_WRITE", "pw-alias-1234567"), ("CH_SECURE", "yes"),
                ("CH_VERIFY_SSL", "off"), ("DEFAULT_TZ", "Asia/Krasnoyarsk"), ("QTICKETS_JOB_NAME", "job2"), ("QTICKETS_DRY_RUN", "1"),
                ("CLICKHOUSE_HTTP_PORT", "8443"), ("QTICKETS_INITIAL_BACKFILL_HOURS", "48"))
            .Load(ConfigNeeds.All);

        Assert.Equal("a***9", config.TokenFingerprint);
        Assert.Equal("https://example.test/api/rest/v1", config.BaseUrl.ToString().TrimEnd('/'));
        Assert.Equal("org", config.OrgName);
        Assert.Equal(6, config.SinceHours);
        Assert.Equal("db1", config.ClickHouseDatabase);
        Assert.Equal("writer", config.ClickHouseUser);
        Assert.Equal("p***7", config.ClickHousePassword!.Fingerprint);
        Assert.True(config.ClickHouseSecure);
        Assert.False(config.ClickHouseVerifySsl);
        Assert.Equal("Asia/Krasnoyarsk", config.TimeZone);
        Assert.Equal("job2", config.JobName);
        Assert.True(config.DryRun);
        Assert.Equal(8443, config.ClickHousePort);
        Assert.Equal(48, config.InitialBackfillHours);
    }

    [Fact]
    public void The_ceiling_of_pages_in_flight_is_8_unless_set_and_must_be_1_to_64()
    {
        Assert.Equal(8, Loader().Load().MaxPagesInFlight);
        Assert.Equal(3, Loader(("QTICKETS_MAX_PAGES_IN_FLIGHT", "3")).Load().MaxPagesInFlight);
        var ex = Assert.Throws<ConfigurationException>(() => Loader(("QTICKETS_MAX_PAGES_IN_FLIGHT", "0")).Load());
        Assert.Contains("QTICKETS_MAX_PAGES_IN_FLIGHT (from the environment) must be a whole number from 1 to 64; got '0'", ex.Message);
    }

    [Fact]
    public void A_later_env_file_wins_and_blank_values_count_as_unset()
    {
        var first = EnvFile("first.env", "QTICKETS_TOKEN=first-token-000000\nORG_NAME=first\n");
        var second = EnvFile("second.env", "ORG_NAME=\nCLICKHOUSE_HOST=second\nQTICKETS_TOKEN=second-token-11111\n");
        var config = Loader(("CLICKHOUSE_ALLOW_PLAIN_HTTP", "true")).WithEnvFile(first).WithEnvFile(second).Load(ConfigNeeds.All);
        Assert.Equal("first", config.OrgName);
        Assert.Equal("second", config.ClickHouseHost);
        Assert.Equal("s***1", config.TokenFingerprint);
    }

    [Fact]
    public void Missing_token_lists_every_name_looked_for_and_the_fix()
    {
        var ex = Assert.Throws<ConfigurationException>(() => Loader().Load(ConfigNeeds.Api));
        Assert.Contains("QTICKETS_TOKEN", ex.Message);
        Assert.Contains("QTICKETS_API_TOKEN", ex.Message);
        Assert.Contains("-EnvFile", ex.Message);
        Assert.NotNull(Loader().Load(ConfigNeeds.ClickHouse));
    }

    [Theory]
    [InlineData("QTICKETS_BASE_URL", "not a url", "is not an http(s) URL")]
    [InlineData("QTICKETS_BASE_URL", "ftp://qtickets.ru/api", "is not an http(s) URL")]
    [InlineData("QTICKETS_BASE_URL", "http://qtickets.ru/api/rest/v1", "plain http")]
    [InlineData("CLICKHOUSE_PORT", "81x23", "whole number")]
    [InlineData("CLICKHOUSE_PORT", "70000", "whole number")]
    [InlineData("QTICKETS_SINCE_HOURS", "two", "whole number")]
    [InlineData("CLICKHOUSE_SECURE", "maybe", "true/false")]
    [InlineData("TZ", "Mars/Olympus", "time zone")]
    [InlineData("CLICKHOUSE_DB", "zakaz; DROP", "letters, digits")]
    public void Bad_values_name_the_variable_its_source_and_the_fix(string variable, string value, string expected)
    {
        var ex = Assert.Throws<ConfigurationException>(() =>
            Loader(("QTICKETS_TOKEN", "valid-token-1234567"), (variable, value)).Load(ConfigNeeds.All));
        Assert.Contains(variable, ex.Message);
        Assert.Contains("from the environment", ex.Message);
        Assert.Contains(expected, ex.Message);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000/api/rest/v1")]
    [InlineData("http://localhost:5000/api/rest/v1")]
    [InlineData("http://[::1]:5000/api/rest/v1")]
    public void Plain_http_is_allowed_to_loopback_only(string url)
    {
        var config = Loader(("QTICKETS_TOKEN", "valid-token-1234567"), ("QTICKETS_BASE_URL", url)).Load(ConfigNeeds.All);
        Assert.Equal("http", config.BaseUrl.Scheme);
    }

    [Theory]
    [InlineData("http://127.0.0.1:38123", "not a URL", "Set CLICKHOUSE_HOST=127.0.0.1 and CLICKHOUSE_PORT=38123.")]
    [InlineData("https://ch.example.org", "not a URL", "Set CLICKHOUSE_HOST=ch.example.org and CLICKHOUSE_SECURE=true.")]
    [InlineData("ch.example.org/", "not a URL", "Set CLICKHOUSE_HOST=ch.example.org.")]
    [InlineData("127.0.0.1:8123", "without a port", "Set CLICKHOUSE_HOST=127.0.0.1 and CLICKHOUSE_PORT=8123.")]
    [InlineData("ch host", "not a host name", "localhost")]
    public void A_url_or_port_where_the_ClickHouse_host_belongs_is_refused_with_the_variables_to_set(string host, string problem, string fix)
    {
        var ex = Assert.Throws<ConfigurationException>(() =>
            Loader(("QTICKETS_TOKEN", "valid-token-1234567"), ("CLICKHOUSE_HOST", host)).Load(ConfigNeeds.All));
        var message = Assert.Single(ex.Problems);
        Assert.StartsWith("CLICKHOUSE_HOST (from the environment)", message);
        Assert.Contains(problem, message);
        Assert.Contains(fix, message);
    }

    [Theory]
    [InlineData("localhost", "localhost")]
    [InlineData("LOCALHOST.", "LOCALHOST.")]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("::1", "[::1]")]
    [InlineData("[::1]", "[::1]")]
    [InlineData(" ch-1.internal ", "ch-1.internal")]
    public void Host_names_and_addresses_are_accepted(string host, string expected)
    {
        var config = Loader(("CLICKHOUSE_HOST", host), ("CLICKHOUSE_ALLOW_PLAIN_HTTP", "true")).Load(ConfigNeeds.ClickHouse);
        Assert.Equal(expected, config.ClickHouseHost);
    }

    [Theory]
    [InlineData("valid-\u200Btoken-1234567", "an invisible character (U+200B) at position 7")]
    [InlineData("valid-\uFEFFtoken-1234567", "an invisible character (U+FEFF) at position 7")]
    [InlineData("valid token-1234567", "white space (U+0020) at position 6")]
    [InlineData("valid-\u00A0token-1234567", "white space (U+00A0) at position 7")]
    [InlineData("valid-tokеn-1234567", "a character that is not ASCII at position 10")]
    public void A_token_with_white_space_or_characters_a_header_cannot_carry_is_refused_before_any_request(string token, string flaw)
    {
        var ex = Assert.Throws<ConfigurationException>(() => Loader(("QTICKETS_TOKEN", token)).Load(ConfigNeeds.Api));
        var message = Assert.Single(ex.Problems);
        Assert.StartsWith("QTICKETS_TOKEN (from the environment) contains " + flaw, message);
        Assert.Contains("Copy the token again", message);
        Assert.DoesNotContain("valid", message);
        Assert.DoesNotContain("1234567", message);
    }

    [Fact]
    public void Line_ends_and_spaces_around_the_token_are_trimmed_not_refused()
    {
        var config = Loader(("QTICKETS_TOKEN", " valid-token-1234567\r\n")).Load(ConfigNeeds.Api);
        Assert.Equal(19, config.Token!.Length);
    }

    [Fact]
    public void Plain_http_to_a_ClickHouse_on_another_machine_is_refused_unless_allowed_or_over_TLS()
    {
        var ex = Assert.Throws<ConfigurationException>(() => Loader(("CH_HOST", "ch.example.org")).Load(ConfigNeeds.ClickHouse));
        var message = Assert.Single(ex.Problems);
        Assert.StartsWith("CH_HOST (from the environment) is 'ch.example.org', another machine, over plain http", message);
        Assert.Contains("CLICKHOUSE_SECURE=true", message);
        Assert.Contains("CLICKHOUSE_ALLOW_PLAIN_HTTP=true", message);

        Assert.True(Loader(("CH_HOST", "ch.example.org"), ("CLICKHOUSE_SECURE", "true")).Load(ConfigNeeds.ClickHouse).ClickHouseSecure);
        Assert.True(Loader(("CH_HOST", "ch.example.org"), ("CLICKHOUSE_ALLOW_PLAIN_HTTP", "yes")).Load(ConfigNeeds.ClickHouse).ClickHouseAllowPlainHttp);
        Assert.Equal("127.0.0.2", Loader(("CH_HOST", "127.0.0.2")).Load(ConfigNeeds.ClickHouse).ClickHouseHost);
        Assert.Equal("localhost", Loader().Load(ConfigNeeds.ClickHouse).ClickHouseHost);
        // Only a command that talks to ClickHouse is refused: Get-QTicketsConfig and the API cmdlets still work.
        Assert.Equal("ch.example.org", Loader(("CH_HOST", "ch.example.org"), ("QTICKETS_TOKEN", "valid-token-1234567")).Load(ConfigNeeds.Api).ClickHouseHost);
    }

    [Fact]
    public void All_problems_are_reported_at_once()
    {
        var ex = Assert.Throws<ConfigurationException>(() =>
            Loader(("CLICKHOUSE_PORT", "x"), ("DRY_RUN", "perhaps")).Load(ConfigNeeds.All));
        Assert.Equal(3, ex.Problems.Count);
        Assert.StartsWith("Configuration has 3 problems:", ex.Message);
    }

    [Fact]
    public void An_env_file_readable_by_others_gives_a_warning_without_its_values()
    {
        var path = EnvFile("open.env", $"QTICKETS_TOKEN={Token}\n", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var loader = Loader().WithEnvFile(path);
        loader.Load(ConfigNeeds.All);
        var warning = Assert.Single(loader.Warnings);
        Assert.Contains("chmod 600", warning);
        Assert.DoesNotContain(Token, warning);
        Assert.Empty(Loader().WithEnvFile(EnvFile("closed.env", "A=1\n")).Warnings);
    }

    [Fact]
    public void Secrets_never_appear_in_errors_strings_or_sources()
    {
        var pw = "ch-PASSWORD-abcdef123";
        var config = Loader(("QTICKETS_TOKEN", Token), ("CLICKHOUSE_PASSWORD", pw)).Load(ConfigNeeds.All);
        var text = config + string.Join("|", config.Sources.Select(s => s.Value + s.Variable + s.Origin)) +
                   config.Token + config.ClickHousePassword + config.TokenFingerprint;
        Assert.DoesNotContain(Token, text);
        Assert.DoesNotContain(pw, text);

        var ex = Assert.Throws<ConfigurationException>(() =>
            Loader(("QTICKETS_TOKEN", Token + " x"), ("CLICKHOUSE_PASSWORD", pw), ("CH_PORT", "bad")).Load(ConfigNeeds.All));
        Assert.DoesNotContain(Token, ex.Message);
        Assert.DoesNotContain(pw, ex.Message);
    }

    [Theory]
    [InlineData("qt-0123456789abcdefghijklmnop", "qt***op")]
    [InlineData("abcdefghijklmnopqrstuvwx", "ab***wx")]
    [InlineData("abcdefghijklmnopqrstuvw", "a***w")]
    [InlineData("abcdefghijkl", "a***l")]
    [InlineData("abcdefghijk", "***")]
    [InlineData("Pass-12345", "***")]
    [InlineData("x", "***")]
    [InlineData("", "(empty)")]
    public void Fingerprint_shows_at_most_four_characters_and_none_of_a_short_secret(string value, string expected) =>
        Assert.Equal(expected, Secret.FingerprintOf(value));

    [Theory]
    [InlineData(10)]
    [InlineData(16)]
    [InlineData(40)]
    [InlineData(200)]
    public void No_fingerprint_reveals_more_than_four_characters_nor_more_than_a_sixth_of_the_value(int length)
    {
        var value = new string(Enumerable.Range(0, length).Select(i => (char)('A' + i % 26)).ToArray());
        var shown = Secret.FingerprintOf(value).Replace("***", "", StringComparison.Ordinal).Length;
        Assert.True(shown <= 4, $"{shown} characters of {length} shown");
        Assert.True(shown * 6 <= length, $"{shown} characters of {length} shown");
    }
}
