using System.Management.Automation;
using QTickets.Module.Tests.Harness;

namespace QTickets.Module.Tests.Configuration;

/// <summary>
/// Get-QTicketsConfig in the real engine. The process environment is shared by every test in this assembly,
/// so these tests pass their values through env files and parameters only, never through $env:.
/// </summary>
public sealed class GetQTicketsConfigTests : IDisposable
{
    const string Token = "qt-Tok3n-SECRET-0a1b2c3d4e";
    const string Password = "ch-Passw0rd-SECRET-99";
    readonly string _dir = Directory.CreateTempSubdirectory("qtickets-cfg-").FullName;
    readonly PowerShellSession _ps = new();

    public void Dispose()
    {
        _ps.Dispose();
        Directory.Delete(_dir, true);
    }

    string EnvFile(string text, string name = "qtickets.env")
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    [Fact]
    public void Returns_the_effective_configuration_with_the_token_as_a_fingerprint()
    {
        var env = EnvFile($"QTICKETS_TOKEN={Token}\nCLICKHOUSE_PASSWORD={Password}\nCH_HOST=ch.example\n");
        var r = _ps.Run("Get-QTicketsConfig -EnvFile $f -ClickHousePort 9000", new Dictionary<string, object> { ["f"] = env });
        Assert.Null(r.Terminating);
        var config = Assert.Single(r.Output).BaseObject;
        Assert.Equal("QTickets.Core.Configuration.QTicketsConfig", config.GetType().FullName);
        var pso = r.Output[0];
        Assert.Equal("qt***4e", pso.Properties["TokenFingerprint"].Value);
        Assert.Equal("ch.example", pso.Properties["ClickHouseHost"].Value);
        Assert.Equal(9000, pso.Properties["ClickHousePort"].Value);
    }

    [Fact]
    public void Source_shows_where_each_value_came_from()
    {
        var env = EnvFile($"QTICKETS_API_TOKEN={Token}\n");
        var r = _ps.Run("Get-QTicketsConfig -EnvFile $f -Source -BaseUrl http://127.0.0.1:9/api/rest/v1", new Dictionary<string, object> { ["f"] = env });
        Assert.Null(r.Terminating);
        var rows = r.Output.ToDictionary(o => (string)o.Properties["Setting"].Value, o => o);
        Assert.Equal("QTICKETS_API_TOKEN", rows["Token"].Properties["Variable"].Value);
        Assert.Equal(env, rows["Token"].Properties["Origin"].Value);
        Assert.Equal("parameter", rows["BaseUrl"].Properties["Origin"].Value);
        Assert.Equal("default", rows["ClickHouseDatabase"].Properties["Origin"].Value);
    }

    [Fact]
    public void Missing_token_is_one_terminating_configuration_error_naming_the_variables()
    {
        var env = EnvFile("ORG_NAME=x\n");
        var r = _ps.Run("Get-QTicketsConfig -EnvFile $f", new Dictionary<string, object> { ["f"] = env });
        var record = TerminatingRecord(r);
        Assert.Equal("QTickets.Configuration.Invalid,QTickets.Cmdlets.Configuration.GetQTicketsConfigCommand", record.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, record.CategoryInfo.Category);
        Assert.Contains("QTICKETS_TOKEN", record.Exception.Message);
        Assert.Contains("QTICKETS_API_TOKEN", record.Exception.Message);
    }

    [Fact]
    public void A_missing_env_file_is_an_ObjectNotFound_error_with_the_path()
    {
        var r = _ps.Run("Get-QTicketsConfig -EnvFile ./no-such.env");
        var record = TerminatingRecord(r);
        Assert.Equal(ErrorCategory.ObjectNotFound, record.CategoryInfo.Category);
        Assert.StartsWith("QTickets.Configuration.EnvFileNotFound", record.FullyQualifiedErrorId);
        Assert.Contains("no-such.env", record.Exception.Message);
    }

    [Fact]
    public void Plain_http_to_a_remote_host_is_refused()
    {
        var env = EnvFile($"QTICKETS_TOKEN={Token}\nQTICKETS_BASE_URL=http://qtickets.ru/api/rest/v1\n");
        var record = TerminatingRecord(_ps.Run("Get-QTicketsConfig -EnvFile $f", new Dictionary<string, object> { ["f"] = env }));
        Assert.Contains("plain http", record.Exception.Message);
        Assert.Contains("QTICKETS_BASE_URL", record.Exception.Message);
    }

    [Fact]
    public void An_env_file_readable_by_others_warns()
    {
        var env = EnvFile($"QTICKETS_TOKEN={Token}\n");
        File.SetUnixFileMode(env, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        var r = _ps.Run("Get-QTicketsConfig -EnvFile $f", new Dictionary<string, object> { ["f"] = env });
        Assert.Contains(r.Warnings, w => w.Contains("chmod 600"));
    }

    [Fact]
    public void No_stream_ever_carries_the_token_or_the_password()
    {
        var good = EnvFile($"QTICKETS_TOKEN={Token}\nCLICKHOUSE_PASSWORD={Password}\n", "good.env");
        var bad = EnvFile($"QTICKETS_TOKEN={Token} broken\nCLICKHOUSE_PASSWORD={Password}\nCH_PORT=nope\n", "bad.env");
        File.SetUnixFileMode(bad, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var vars = new Dictionary<string, object> { ["good"] = good, ["bad"] = bad, ["tok"] = Token };
        var runs = new[]
        {
            _ps.Run("Get-QTicketsConfig -EnvFile $good -Verbose", vars),
            _ps.Run("Get-QTicketsConfig -EnvFile $good -Source -Verbose | Out-String", vars),
            _ps.Run("Get-QTicketsConfig -EnvFile $good | Format-List * | Out-String", vars),
            _ps.Run("Get-QTicketsConfig -EnvFile $good | Out-String -Width 200", vars),
            _ps.Run("Get-QTicketsConfig -EnvFile $bad -Verbose", vars),
            _ps.Run("Get-QTicketsConfig -Token $tok -EnvFile $good -Verbose | Out-Default", vars),
            _ps.Run("(Get-QTicketsConfig -EnvFile $good).Token | Out-String", vars),
        };
        foreach (var r in runs)
        {
            var text = r.AllText();
            Assert.DoesNotContain(Token, text);
            Assert.DoesNotContain(Password, text);
        }
        Assert.Contains(runs[0].Verbose, v => v.StartsWith("Token = ", StringComparison.Ordinal));
        Assert.Single(runs[4].Errors);
    }

    // A cmdlet's terminating error ends its statement; inside a script it lands in the error stream.
    static ErrorRecord TerminatingRecord(RunResult r)
    {
        Assert.Empty(r.Output);
        return Assert.Single(r.Errors);
    }
}
