using System.Management.Automation;
using System.Text.Json;
using QTickets.Module.Tests.Harness;

namespace QTickets.Module.Tests.Diagnostics;

/// <summary>Test-QTicketsEndpoint and Save-QTicketsEndpointReport in the real engine against the sandbox.</summary>
public sealed class TestQTicketsEndpointTests(ProtocolSandbox sandbox) : IClassFixture<ProtocolSandbox>, IDisposable
{
    readonly PowerShellSession _ps = new();
    readonly string _dir = Directory.CreateTempSubdirectory("qtickets-protocol-").FullName;

    public void Dispose()
    {
        _ps.Dispose();
        Directory.Delete(_dir, true);
    }

    RunResult Run(string script, string? token = null) => _ps.Run(script, new Dictionary<string, object>
    {
        ["envFile"] = ProtocolFiles.EnvFile(_dir, sandbox.Server, token),
        ["out"] = Path.Combine(_dir, "report"),
    });

    static dynamic Verdict(RunResult r) => r.Output[^1].BaseObject;

    [Fact]
    public void It_takes_the_connection_parameters_of_the_other_API_cmdlets_and_a_rejected_token_is_said_plainly()
    {
        foreach (var name in new[] { "Token", "BaseUrl", "EnvFile" })
            Assert.True(_ps.Run($"(Get-Command Test-QTicketsEndpoint).Parameters.ContainsKey('{name}')").Output.Single().BaseObject is true, name);
        var ok = _ps.Run("Test-QTicketsEndpoint -Token $token -BaseUrl $url -Step J1 -Verdict",
            new Dictionary<string, object> { ["token"] = sandbox.Server.Token, ["url"] = sandbox.Server.BaseUrl });
        Assert.Null(ok.Terminating);
        Assert.StartsWith("Sales are there and the loader reads them", (string)Verdict(ok).Summary);

        var bad = _ps.Run("Test-QTicketsEndpoint -Token 'qt-not-the-token-0123456789' -BaseUrl $url -Step J1 -Verdict",
            new Dictionary<string, object> { ["url"] = sandbox.Server.BaseUrl });
        Assert.Null(bad.Terminating);
        Assert.Equal("QTickets refused the token, so no sales can be read: copy the token again from " +
                     "the QTickets cabinet, Settings – Main (Настройки – Основное), at the bottom of the page.", (string)Verdict(bad).Summary);
        Assert.DoesNotContain("qt-not-the-token-0123456789", bad.AllText());
    }

    [Fact]
    public async Task The_verdict_names_GET_with_a_JSON_body_as_working_and_flat_and_POST_forms_as_ignored_or_failing_with_counts()
    {
        var r = Run("Test-QTicketsEndpoint -EnvFile $envFile -IncludeWriteProbes -RetryDelaySeconds 0");

        Assert.Null(r.Terminating);
        Assert.Empty(r.Errors);
        var results = r.Output.Take(r.Output.Count - 1).Select(o => o.BaseObject).ToList();
        Assert.All(results, o => Assert.Equal("QTickets.Core.Diagnostics.EndpointProbeResult", o.GetType().FullName));
        Assert.Equal(new[] { "0", "A0", "A1", "A2", "A3", "B1", "B2", "B3", "C1", "C2", "J1", "D", "E1", "E2", "F", "H" },
            r.Output.Take(r.Output.Count - 1).Select(o => (string)o.Properties["Step"].Value));
        var verdict = Verdict(r);
        Assert.Equal("QTickets.Core.Diagnostics.EndpointVerdict", ((object)verdict).GetType().FullName);
        Assert.Equal("WorkingFormFound", verdict.Kind.ToString());
        Assert.Equal(new[] { "J1" }, (IEnumerable<string>)verdict.WorkingSteps);
        Assert.Equal(new[] { "A1", "A2", "A3", "B1", "B2", "B3", "C1", "C2" }, (IEnumerable<string>)verdict.IgnoredSteps);
        Assert.Equal(new[] { "E1", "E2", "F" }, (IEnumerable<string>)verdict.FailedSteps);

        // The counts in the verdict are the sandbox's truth for the window J1 asked for.
        var j1 = r.Output.Take(r.Output.Count - 1).Single(o => (string)o.Properties["Step"].Value == "J1");
        dynamic window = j1.Properties["Window"].Value;
        var where = JsonSerializer.Serialize(new object[]
        {
            new { column = "payed", value = 1 },
            new { column = "payed_at", @operator = ">=", value = ((DateTimeOffset)window.Start).ToString("O") },
            new { column = "payed_at", @operator = "<", value = ((DateTimeOffset)window.End).ToString("O") },
        });
        var paid = (await sandbox.Server.OrderIdsAsync(where)).Count;
        Assert.True(paid > 200, $"the sandbox has {paid} paid orders in the window");
        var a0 = r.Output.Take(r.Output.Count - 1).Single(o => (string)o.Properties["Step"].Value == "A0");
        var text = (string)verdict.Text;
        Assert.StartsWith($"Sales are there and the loader reads them (200 paid orders in the period checked): nothing to do.\n" +
                          $"GET /orders with a JSON body works (J1: 200 paid orders in the window, paging.total {paid}); flat query parameters are ignored; " +
                          "failing: E1 404 HTML, E2 503 UNKNOWN_ERROR.", text);
        Assert.Contains($"- Flat query parameters are ignored: A1 returned the default first page, 50 orders of all statuses ({a0.Properties["PaidCount"].Value} paid, " +
                        $"{a0.Properties["UnpaidCount"].Value} unpaid), from ", text);
        Assert.Contains("so did A2 (per_page=200 gave 50 a page), A3 (page=2 gave page 1)", text);
        Assert.Contains("- POST /orders/filter fails: E1 POST " + sandbox.Server.BaseUrl + "/orders/filter with a JSON body -> 404 HTML page: no such route", text);
        Assert.Contains("- POST /orders with a filter body fails: E2 POST " + sandbox.Server.BaseUrl + "/orders with a JSON body -> 503 UNKNOWN_ERROR", text);
        Assert.Contains("What to do: Use GET /orders with the filter in a JSON body", text);
        Assert.Equal(paid, (int?)verdict.PaidOrdersTotal);
    }

    [Fact]
    public async Task Without_IncludeWriteProbes_no_POST_reaches_the_server_and_the_verdict_says_so()
    {
        await sandbox.Server.ResetStatsAsync();
        var r = Run("Test-QTicketsEndpoint -EnvFile $envFile -Verdict -Verbose");

        Assert.Empty(r.Errors);
        var verdict = Assert.Single(r.Output).BaseObject as dynamic;
        Assert.Equal(new[] { "E1", "E2" }, (IEnumerable<string>)verdict.SkippedSteps);
        Assert.Contains("Not sent: E1 (POST /orders/filter), E2 (POST /orders with a filter body), because POST /orders may create an order", (string)verdict.Text);
        Assert.Contains("-IncludeWriteProbes", (string)verdict.Text);
        Assert.Equal(0, await sandbox.Server.RequestCountAsync("/orders", "503"));
        Assert.Equal(0, await sandbox.Server.RequestCountAsync("other"));
        Assert.Contains(r.Verbose, v => v.StartsWith("J1: GET " + sandbox.Server.BaseUrl + "/orders (JSON body, ", StringComparison.Ordinal));
        Assert.Equal(16, ((System.Collections.ICollection)verdict.Results).Count);
    }

    [Fact]
    public void Save_writes_the_protocol_artifacts_and_no_file_or_archive_entry_holds_the_token_or_personal_data()
    {
        var r = Run("Test-QTicketsEndpoint -EnvFile $envFile -IncludeWriteProbes -RetryDelaySeconds 0 | Save-QTicketsEndpointReport -Path $out -Note 'G not run here'");

        Assert.Null(r.Terminating);
        Assert.Empty(r.Errors);
        var report = Assert.Single(r.Output);
        var files = ((IEnumerable<string>)report.Properties["Files"].Value).ToList();
        foreach (var name in new[] { "step00_env.txt", "stepA1_get_orders.json", "stepA1_get_orders.headers.txt", "stepA1_get_orders.outcome.txt",
                     "stepJ1_get_orders_json_body.json", "stepE1_post_orders_filter.html", "final_report.md", "README_TESTING.md", "support_ticket_draft.md" })
            Assert.Contains(name, files);
        Assert.Contains(files, f => f.StartsWith("stepD_get_orders_id_", StringComparison.Ordinal));
        var archive = (string)report.Properties["Archive"].Value;
        Assert.Equal(Path.Combine(_dir, "report.tar.gz"), archive);

        var texts = ProtocolFiles.AllTexts(Path.Combine(_dir, "report"), archive);
        ProtocolFiles.AssertClean(texts, sandbox.Server.Token);
        Assert.Contains(ProtocolFiles.Fingerprint(sandbox.Server.Token), texts["step00_env.txt"]);
        Assert.Contains("G not run here", texts["final_report.md"]);
        Assert.Contains("\"client\": \"***\"", texts["stepA1_get_orders.json"]);
        Assert.DoesNotContain(sandbox.Server.Token, r.AllText());
    }

    [Fact]
    public void IncludePersonalData_keeps_the_bodies_as_received()
    {
        var r = Run("Test-QTicketsEndpoint -EnvFile $envFile -Step J1 -IncludePersonalData | Where-Object Step -eq 'J1' | ForEach-Object ResponseBody");
        Assert.Matches(@"buyer\d+@example\.test", Assert.Single(r.Output).ToString());
    }

    [Fact]
    public void A_wrong_token_is_a_verdict_and_a_warning_not_an_error()
    {
        var r = Run("Test-QTicketsEndpoint -EnvFile $envFile -Step J1, D -Verdict", token: "qt-wrong-token-0123456789");

        Assert.Null(r.Terminating);
        Assert.Empty(r.Errors);
        var verdict = Assert.Single(r.Output).BaseObject as dynamic;
        Assert.Equal("TokenRejected", verdict.Kind.ToString());
        Assert.StartsWith("The token qt***89 is rejected: 2 of 2 requests got HTTP 403", (string)verdict.Headline);
        Assert.Contains(r.Warnings, w => w.StartsWith("QTickets refused the token, so no sales can be read", StringComparison.Ordinal) &&
                                         w.Contains("The token qt***89 is rejected", StringComparison.Ordinal));
    }

    [Fact]
    public void Configuration_problems_and_unknown_steps_are_terminating_errors()
    {
        var noToken = Path.Combine(_dir, "empty.env");
        File.WriteAllText(noToken, "ORG_NAME=x\n");
        File.SetUnixFileMode(noToken, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var r = _ps.Run("Test-QTicketsEndpoint -EnvFile $f", new Dictionary<string, object> { ["f"] = noToken });
        var record = StatementError(r);
        Assert.Equal("QTickets.Configuration.Invalid,QTickets.Cmdlets.Diagnostics.TestQTicketsEndpointCommand", record.FullyQualifiedErrorId);

        r = Run("Test-QTicketsEndpoint -EnvFile $envFile -Step A1, Z9");
        record = StatementError(r);
        Assert.Equal("QTickets.Diagnostics.UnknownStep,QTickets.Cmdlets.Diagnostics.TestQTicketsEndpointCommand", record.FullyQualifiedErrorId);
        Assert.Contains("Unknown step Z9; the steps are 0, A0, A1", record.Exception.Message);
    }

    /// <summary>A cmdlet's ThrowTerminatingError ends its statement; the host sees it in the error stream or as the run's exception.</summary>
    static ErrorRecord StatementError(RunResult r)
    {
        Assert.Empty(r.Output);
        return r.Terminating?.ErrorRecord ?? Assert.Single(r.Errors);
    }

    [Fact]
    public void Step_completes_with_the_step_ids()
    {
        const string line = "Test-QTicketsEndpoint -Step E";
        var r = _ps.Run("[System.Management.Automation.CommandCompletion]::CompleteInput($line, $line.Length, $null).CompletionMatches | ForEach-Object CompletionText",
            new Dictionary<string, object> { ["line"] = line });
        Assert.Equal(new[] { "E1", "E2" }, r.Output.Select(o => o.ToString()));
    }
}
