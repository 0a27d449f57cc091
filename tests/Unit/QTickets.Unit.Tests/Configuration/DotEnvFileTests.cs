using QTickets.Core.Configuration;

namespace QTickets.Unit.Tests.Configuration;

public class DotEnvFileTests
{
    [Fact]
    public void Reads_comments_quotes_export_crlf_bom_and_blank_values()
    {
        var text = "\uFEFF# QTickets\r\nexport QTICKETS_TOKEN=abc123def456\r\nORG_NAME=\"irs prod\" \r\n" +
                   "QTICKETS_BASE_URL='https://qtickets.ru/api/rest/v1' # trailing comment\r\n" +
                   "CLICKHOUSE_PASSWORD=\r\nCH_HOST = ch.local # comment\r\n\r\nJOB_NAME=\"a \\\"quoted\\\" name\"\n";
        var values = DotEnvFile.Parse(text, "test.env").ToDictionary(kv => kv.Key, kv => kv.Value);

        Assert.Equal("abc123def456", values["QTICKETS_TOKEN"]);
        Assert.Equal("irs prod", values["ORG_NAME"]);
        Assert.Equal("https://qtickets.ru/api/rest/v1", values["QTICKETS_BASE_URL"]);
        Assert.Equal("", values["CLICKHOUSE_PASSWORD"]);
        Assert.Equal("ch.local", values["CH_HOST"]);
        Assert.Equal("a \"quoted\" name", values["JOB_NAME"]);
        Assert.Equal(6, values.Count);
    }

    [Fact]
    public void Single_quotes_keep_hashes_and_backslashes()
    {
        var values = DotEnvFile.Parse("A='x #y \\n z'", "f");
        Assert.Equal("x #y \\n z", values[0].Value);
    }

    [Theory]
    [InlineData("JUSTAWORD", "line 1: expected KEY=value")]
    [InlineData("A=\"never closed", "never closes")]
    [InlineData("1BAD=x", "not a valid variable name")]
    public void Malformed_lines_are_errors_with_file_and_line(string text, string expected)
    {
        var ex = Assert.Throws<ConfigurationException>(() => DotEnvFile.Parse("# ok\n" + text.Replace("line 1", ""), "my.env"));
        Assert.Contains("my.env, line 2", ex.Message);
        Assert.Contains(expected.Replace("line 1: ", ""), ex.Message);
    }

    [Fact]
    public void Missing_file_names_the_path_and_the_parameter()
    {
        var ex = Assert.Throws<EnvFileNotFoundException>(() => DotEnvFile.Read("/nonexistent/qtickets.env"));
        Assert.Equal("/nonexistent/qtickets.env", ex.Path);
        Assert.Contains("/nonexistent/qtickets.env", ex.Message);
        Assert.Contains("-EnvFile", ex.Message);
    }
}
