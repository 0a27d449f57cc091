using QTickets.Module.Tests.Harness;

namespace QTickets.Module.Tests.Diagnostics;

/// <summary>The protocol against an API that answers every request with 503.</summary>
public sealed class DownSandboxTests(DownSandbox sandbox) : IClassFixture<DownSandbox>, IDisposable
{
    readonly PowerShellSession _ps = new();
    readonly string _dir = Directory.CreateTempSubdirectory("qtickets-protocol-down-").FullName;

    public void Dispose()
    {
        _ps.Dispose();
        Directory.Delete(_dir, true);
    }

    [Fact]
    public void The_report_says_the_API_is_unavailable_with_times_and_requests_and_drafts_the_support_ticket()
    {
        var r = _ps.Run("Test-QTicketsEndpoint -EnvFile $envFile -IncludeWriteProbes -RetryDelaySeconds 1 | Save-QTicketsEndpointReport -Path $out",
            new Dictionary<string, object> { ["envFile"] = ProtocolFiles.EnvFile(_dir, sandbox.Server), ["out"] = Path.Combine(_dir, "down") });

        Assert.Null(r.Terminating);
        Assert.Empty(r.Errors);
        var warning = Assert.Single(r.Warnings);
        Assert.Matches(@"^The QTickets API did not answer, so nothing could be checked: nothing is wrong on your side; run the check again later\. The QTickets API was unavailable: all 14 requests failed between \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC and .+ UTC \(.+ Moscow\): 13 × 503 UNKNOWN_ERROR, 1 × 503\.$", warning);
        var report = Assert.Single(r.Output);
        Assert.Equal("ApiUnavailable", report.Properties["Kind"].Value.ToString());

        var dir = Path.Combine(_dir, "down");
        var texts = ProtocolFiles.AllTexts(dir, (string)report.Properties["Archive"].Value);
        ProtocolFiles.AssertClean(texts, sandbox.Server.Token);
        var final = texts["final_report.md"];
        Assert.Contains("**The QTickets API was unavailable", final);
        Assert.Matches(@"- \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d Moscow\): A1 GET " + Regex(sandbox.Server.BaseUrl) +
                       @"/orders\?organization=org-sandbox&payed=1&since=[^ ]+ -> 503 after \d+ ms: 503 UNKNOWN_ERROR", final);
        Assert.Contains("J1 GET " + sandbox.Server.BaseUrl + "/orders body {\"where\":[{\"column\":\"payed\",\"value\":1}", final);
        Assert.Contains("503 again after 1 s: A0's 503 is not transient", final);

        var ticket = texts["support_ticket_draft.md"];
        Assert.Contains("**Тема:** REST API v1: все запросы к /orders завершаются ошибкой (503 / нет ответа)", ticket);
        Assert.Contains("org-sandbox", ticket);
        Assert.Contains(ProtocolFiles.Fingerprint(sandbox.Server.Token), ticket);
        Assert.Contains("### Шаг E2: POST " + sandbox.Server.BaseUrl + "/orders", ticket);
        Assert.Matches(@"- Время: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d Moscow\)", ticket);
        Assert.Contains("\"code\": \"UNKNOWN_ERROR\"", ticket);
    }

    static string Regex(string s) => System.Text.RegularExpressions.Regex.Escape(s);
}
