using System.Collections;
using System.Management.Automation;
using QTickets.Module.Tests.Harness;
using QTickets.Tests.Shared;

namespace QTickets.Module.Tests.ClickHouse;

/// <summary>The ClickHouse cmdlets in the real PowerShell engine, against the real server of the test command.</summary>
public sealed class ClickHouseCmdletTests : IClassFixture<TestClickHouse>, IDisposable
{
    readonly TestClickHouse _ch;
    readonly PowerShellSession _ps = new();

    public ClickHouseCmdletTests(TestClickHouse ch) => _ch = ch;

    public void Dispose() => _ps.Dispose();

    Hashtable Vars(string user, string password) => new()
    {
        ["cred"] = new PSCredential(user, ToSecure(password)),
        ["chHost"] = _ch.Host, ["chPort"] = _ch.Port, ["db"] = _ch.Database,
    };

    static System.Security.SecureString ToSecure(string s)
    {
        var secure = new System.Security.SecureString();
        foreach (var c in s) secure.AppendChar(c);
        return secure;
    }

    const string Conn = "-ClickHouseHost $chHost -ClickHousePort $chPort -Database $db -Credential $cred";

    void AssertNoSecrets(RunResult r)
    {
        foreach (var secret in new[] { _ch.AdminPassword, _ch.WriterPassword, _ch.ReaderPassword })
            Assert.DoesNotContain(secret, r.AllText());
    }

    [Fact]
    public void Initialize_whatif_prints_ddl_then_applies_once_and_write_streams_with_progress_and_passthru()
    {
        var admin = Vars(_ch.AdminUser, _ch.AdminPassword);
        var whatIf = _ps.Run($"Initialize-QTicketsClickHouse {Conn} -WhatIf", admin);
        Assert.Null(whatIf.Terminating);
        Assert.Contains(whatIf.HostLines, l => l.StartsWith("What if: Apply migration 001 create_tables", StringComparison.Ordinal));
        Assert.Contains(whatIf.HostLines, l => l.Contains($"CREATE TABLE IF NOT EXISTS {_ch.Database}.stg_qtickets_api_orders_raw", StringComparison.Ordinal));
        Assert.Equal(0, _ch.Count($"SELECT count() FROM system.tables WHERE database = '{_ch.Database}'"));

        var init = _ps.Run($"Initialize-QTicketsClickHouse {Conn}", admin);
        Assert.Null(init.Terminating);
        // One migration applied per migration -WhatIf announced (seven today).
        Assert.Equal(whatIf.HostLines.Count(l => l.StartsWith("What if: Apply migration ", StringComparison.Ordinal)), init.Output.Count);
        Assert.True(init.Output.Count >= 7);
        var again = _ps.Run($"Initialize-QTicketsClickHouse {Conn}", admin);
        Assert.All(again.Output, o => Assert.Equal("already applied", o.Properties["Outcome"].Value));

        var rows = "1..2500 | ForEach-Object { [pscustomobject]@{ event_id = \"ps$_\"; event_name = 'Show'; city = 'томск'; _ver = [uint64]1 } }";
        var dry = _ps.Run($"{rows} | Write-QTicketsClickHouse -Table dim_events -BatchSize 1000 {Conn} -WhatIf -PassThru", admin);
        Assert.Contains(dry.HostLines, l => l.StartsWith("What if: Write 2500 rows in 3 batches of up to 1000 to ", StringComparison.Ordinal) && l.EndsWith($"{_ch.Database}.dim_events on {_ch.Host}:{_ch.Port}", StringComparison.Ordinal));
        Assert.Equal(0, _ch.Count($"SELECT count() FROM {_ch.Database}.dim_events"));

        var write = _ps.Run($"{rows} | Write-QTicketsClickHouse -Table dim_events -BatchSize 1000 {Conn} -PassThru", admin);
        Assert.Null(write.Terminating);
        var result = Assert.Single(write.Output);
        Assert.Equal("dim_events", result.Properties["Table"].Value);
        Assert.Equal(2500L, result.Properties["Rows"].Value);
        Assert.Equal(3, result.Properties["Batches"].Value);
        Assert.True(write.Progress.Count(p => p.RecordType == ProgressRecordType.Processing) >= 3);
        Assert.Equal(ProgressRecordType.Completed, write.Progress[^1].RecordType);
        Assert.Equal(2500, _ch.Count($"SELECT count() FROM {_ch.Database}.dim_events"));
        // The same rows again: every batch's token repeats, nothing is added.
        _ps.Run($"{rows} | Write-QTicketsClickHouse -Table dim_events -BatchSize 1000 {Conn}", admin);
        Assert.Equal(2500, _ch.Count($"SELECT count() FROM {_ch.Database}.dim_events"));
        AssertNoSecrets(write);

        var smoke = _ps.Run($"Test-QTicketsClickHouse {Conn}", admin);
        Assert.Contains(smoke.Output, o => (string)o.Properties["Name"].Value == "duplicate_orders" && (bool)o.Properties["Passed"].Value);
        // No run recorded yet: job_runs fails, and so does the command ($? false), for scripts' exit codes.
        Assert.Contains(smoke.Errors, e => e.FullyQualifiedErrorId.StartsWith("QTickets.ClickHouse.SmokeCheckFailed", StringComparison.Ordinal));
    }

    /// <summary>A cmdlet's terminating error ends its statement; in a script it surfaces in the error stream.</summary>
    static ErrorRecord Error(RunResult r) =>
        r.Terminating is IContainsErrorRecord t ? t.ErrorRecord : Assert.Single(r.Errors);

    [Fact]
    public void Errors_are_specific_records()
    {
        var bad = _ps.Run($"[pscustomobject]@{{ event_id = 'x'; _ver = [uint64]1 }} | Write-QTicketsClickHouse -Table dim_events {Conn}",
            Vars(_ch.WriterUser, "not-the-password"));
        Assert.StartsWith("QTickets.ClickHouse.AuthenticationFailed", Error(bad).FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.AuthenticationError, Error(bad).CategoryInfo.Category);
        Assert.Contains(_ch.WriterUser, Error(bad).Exception.Message);

        var missing = _ps.Run($"[pscustomobject]@{{ a = 1 }} | Write-QTicketsClickHouse -Table no_such_table {Conn}",
            Vars(_ch.AdminUser, _ch.AdminPassword));
        Assert.StartsWith("QTickets.ClickHouse.TableMissing", Error(missing).FullyQualifiedErrorId);
        Assert.Contains("no_such_table", Error(missing).Exception.Message);

        var refused = _ps.Run("[pscustomobject]@{ a = 1 } | Write-QTicketsClickHouse -Table dim_events -ClickHouseHost 127.0.0.1 -ClickHousePort 1 -Database $db -Credential $cred",
            Vars(_ch.AdminUser, _ch.AdminPassword));
        Assert.StartsWith("QTickets.ClickHouse.Unreachable", Error(refused).FullyQualifiedErrorId);
        Assert.Contains("127.0.0.1:1", Error(refused).Exception.Message);

        var noTable = _ps.Run($"[pscustomobject]@{{ a = 1 }} | Write-QTicketsClickHouse {Conn}", Vars(_ch.AdminUser, _ch.AdminPassword));
        Assert.StartsWith("QTickets.ClickHouse.TableRequired", Error(noTable).FullyQualifiedErrorId);
        AssertNoSecrets(bad);
        AssertNoSecrets(missing);
        AssertNoSecrets(refused);
    }

    [Fact]
    public void A_value_that_does_not_fit_stops_the_write_after_finishing_the_rows_before_it()
    {
        // Its own database: the other tests here check the fixture's database from empty.
        var db = _ch.Database + "_fit";
        _ch.Admin($"CREATE DATABASE IF NOT EXISTS {db}");
        _ch.Admin($"CREATE TABLE IF NOT EXISTS {db}.events (event_id String, tickets_total UInt32, _ver UInt64) ENGINE = MergeTree ORDER BY event_id");
        var admin = Vars(_ch.AdminUser, _ch.AdminPassword);
        admin["db"] = db;
        // Row 4 carries text in the UInt32 column; rows 1-3 fill one full batch of 2 and half of the next.
        var rows = "1..5 | ForEach-Object { [pscustomobject]@{ event_id = \"fit$_\"; tickets_total = $(if ($_ -eq 4) { 'Иванов' } else { $_ }); _ver = [uint64]1 } }";
        var run = _ps.Run($"{rows} | Write-QTicketsClickHouse -Table events -BatchSize 2 {Conn}", admin);

        var error = Error(run);
        Assert.StartsWith("QTickets.ClickHouse.TypeMismatch", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
        Assert.Contains("column 'tickets_total'", error.Exception.Message);
        Assert.Contains("row 4", error.Exception.Message);
        Assert.Contains("UInt32", error.Exception.Message);
        Assert.DoesNotContain("Иванов", run.AllText()); // values stay out of errors: they may be personal data
        Assert.Contains(run.Warnings, w => w.StartsWith("Wrote the 3 rows before the failing one", StringComparison.Ordinal));
        Assert.Equal("fit1,fit2,fit3", _ch.Admin($"SELECT arrayStringConcat(groupArray(event_id), ',') FROM (SELECT event_id FROM {db}.events ORDER BY event_id)"));
        AssertNoSecrets(run);
        _ch.Admin($"DROP DATABASE IF EXISTS {db}");
    }
}
