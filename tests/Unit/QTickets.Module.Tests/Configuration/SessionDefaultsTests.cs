using QTickets.Module.Tests.Api;
using QTickets.Module.Tests.Harness;

namespace QTickets.Module.Tests.Configuration;

/// <summary>README's way of setting connection defaults once per session ($PSDefaultParameterValues), as written there.</summary>
public sealed class SessionDefaultsTests(OrderSandbox sandbox) : IClassFixture<OrderSandbox>, IDisposable
{
    readonly PowerShellSession _ps = new();
    readonly string _dir = Directory.CreateTempSubdirectory("qt-defaults-").FullName;

    public void Dispose()
    {
        _ps.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Defaults_set_once_reach_every_QTickets_cmdlet_of_a_pipeline_and_a_given_value_still_wins()
    {
        var env = Path.Combine(_dir, "qtickets.env");
        File.WriteAllText(env, $"QTICKETS_TOKEN={sandbox.Server.Token}\nQTICKETS_BASE_URL={sandbox.Server.BaseUrl}\nCLICKHOUSE_HOST=ch-from-file.internal\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(env, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var r = _ps.Run("""
            $PSDefaultParameterValues['*-QTickets*:EnvFile'] = $envFile
            (Get-QTicketsConfig).ClickHouseUrl
            (Get-QTicketsConfig -ClickHouseHost given.internal).ClickHouseUrl
            @(Get-QTicketsEvent).Count
            @(Get-QTicketsOrder -SinceHours 2000 | Export-QTicketsSupportCsv ([System.IO.Path]::Combine($dir, 'orders.csv')) -PassThru).Count
            $PSDefaultParameterValues.Remove('*-QTickets*:EnvFile')
            $PSDefaultParameterValues['*-QTickets*:Token'] = $token
            $PSDefaultParameterValues['*-QTickets*:BaseUrl'] = $url
            @(Get-QTicketsEvent).Count
            """, new Dictionary<string, object>
        {
            ["envFile"] = env, ["dir"] = _dir, ["token"] = sandbox.Server.Token, ["url"] = sandbox.Server.BaseUrl,
        });
        Assert.Null(r.Terminating);
        Assert.Empty(r.Errors);
        var lines = r.Output.Select(o => o.ToString()).ToList();
        Assert.Contains("ch-from-file.internal", lines[0]);
        Assert.Contains("given.internal", lines[1]);
        Assert.True(int.Parse(lines[2], System.Globalization.CultureInfo.InvariantCulture) > 0, lines[2]);
        Assert.True(int.Parse(lines[3], System.Globalization.CultureInfo.InvariantCulture) > 0, lines[3]);
        Assert.Equal(lines[2], lines[4]);
    }
}
