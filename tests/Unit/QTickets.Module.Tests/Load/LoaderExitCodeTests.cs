using System.Collections;
using System.Net;
using System.Net.Sockets;
using QTickets.Module.Tests.Harness;

namespace QTickets.Module.Tests.Load;

/// <summary>
/// The scheduled script's exit codes and its two lines per run (config 2, auth 3, ClickHouse 6; locked 4 and
/// API unavailable 5 are in <see cref="LoadFaultTests"/>), and -DryRun / -WhatIf writing nothing.
/// </summary>
[Collection("Load end-to-end")]
public sealed class LoaderExitCodeTests(BackfilledRig fixture) : IClassFixture<BackfilledRig>
{
    readonly LoadRig _rig = fixture.Rig;

    static int DeadPort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    [Fact]
    public async Task Exit_codes_2_config_3_auth_6_clickhouse_each_with_one_human_and_one_json_line()
    {
        var noToken = _rig.WriteEnv("no-token.env", withToken: false);
        var config = await _rig.ScriptAsync(noToken);
        Assert.True(config.ExitCode == 2, config.ToString());
        var c = LoadRig.TwoLines(config.StdOut, 2);
        Assert.Equal("ConfigError", c.GetProperty("error_kind").GetString());
        Assert.Contains("QTICKETS_TOKEN", c.GetProperty("message").GetString());

        var badToken = _rig.WriteEnv("bad-token.env", token: "qt-wrong-" + Guid.NewGuid().ToString("N"));
        var auth = await _rig.ScriptAsync(badToken);
        Assert.True(auth.ExitCode == 3, auth.ToString());
        Assert.Equal("AuthError", LoadRig.TwoLines(auth.StdOut, 3).GetProperty("error_kind").GetString());

        var deadPort = _rig.WriteEnv("dead-port.env", port: DeadPort());
        var ch = await _rig.ScriptAsync(deadPort);
        Assert.True(ch.ExitCode == 6, ch.ToString());
        Assert.StartsWith("ClickHouse", LoadRig.TwoLines(ch.StdOut, 6).GetProperty("error_kind").GetString());

        var wrongPassword = _rig.WriteEnv("wrong-password.env", password: "not-the-password");
        var denied = await _rig.ScriptAsync(wrongPassword);
        Assert.True(denied.ExitCode == 6, denied.ToString());
        LoadRig.TwoLines(denied.StdOut, 6);

        _rig.AssertNoSecretsOrPersonalData();
    }

    [Fact]
    public async Task DryRun_and_WhatIf_write_nothing_and_print_the_legacy_summary()
    {
        var now = await _rig.AdvanceAsync(TimeSpan.FromMinutes(15));
        var counts = _rig.RowCounts();
        var watermark = _rig.Watermark();

        var dry = await _rig.ScriptAsync(null, "-DryRun", "-SinceHours", "24");
        Assert.True(dry.ExitCode == 0, dry.ToString());
        var lines = dry.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        Assert.Equal("[qtickets_api] Dry-run complete:", lines[0]);
        foreach (var label in new[] { "  Window: ", "  Events: ", "  Orders: ", "  Sales rows: ", "  Inventory rows: ", "  Days touched: " })
            Assert.Contains(lines, l => l.StartsWith(label, StringComparison.Ordinal));
        Assert.StartsWith("qtickets_api dry-run: ", lines[^2]);
        Assert.Contains("\"status\":\"dry-run\"", lines[^1]);
        Assert.True(int.Parse(lines.Single(l => l.StartsWith("  Orders: ", StringComparison.Ordinal))[10..]) > 0);

        var whatIf = _rig.Session.Run("Invoke-QTicketsLoad -EnvFile $envFile -Now $now -WhatIf",
            new Hashtable { ["envFile"] = _rig.EnvFile, ["now"] = DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture) });
        _rig.Record(whatIf.AllText());
        Assert.Null(whatIf.Terminating);
        var summary = Assert.Single(whatIf.Output);
        Assert.Equal("QTickets.Core.Load.LoadSummary", summary.BaseObject.GetType().FullName);
        Assert.Equal("DryRun", summary.Properties["Status"].Value.ToString());
        Assert.Equal("dry-run", summary.Properties["StatusText"].Value);
        Assert.Contains(whatIf.HostLines, l => l.StartsWith("What if: ", StringComparison.Ordinal));

        Assert.Equal(counts, _rig.RowCounts());
        Assert.Equal(watermark, _rig.Watermark());
        _rig.AssertNoSecretsOrPersonalData();
    }
}
