using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using QTickets.Core.Diagnostics;

namespace QTickets.Unit.Tests.Diagnostics;

public sealed class ReportWriterTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("qtickets-report-").FullName;

    public void Dispose() => Directory.Delete(_root, true);

    [Fact]
    public async Task Writes_the_legacy_layout_and_an_archive_of_it_without_token_or_personal_data()
    {
        var (_, verdict) = await CannedApi.RunAsync(CannedApi.Settings(CannedApi.ProductionLike(), writeProbes: true));
        var dir = Path.Combine(_root, "qtickets_debug_test");

        var report = EndpointReportWriter.Write(verdict, dir, new[] { "G not run: no loader." });

        foreach (var name in new[]
                 {
                     "step00_env.txt", "stepA0_get_orders_default.json", "stepA1_get_orders.json", "stepA1_get_orders.headers.txt",
                     "stepA1_get_orders.outcome.txt", "stepA2_get_orders_perpage.json", "stepJ1_get_orders_json_body.json",
                     "stepE1_post_orders_filter.html", "stepE2_post_orders.json", "stepF_repeat_503_E2.outcome.txt",
                     "stepH_head_orders.headers.txt", "final_report.md", "README_TESTING.md", "support_ticket_draft.md",
                 })
            Assert.Contains(name, report.Files);
        Assert.Equal(Path.Combine(_root, "qtickets_debug_test.tar.gz"), report.Archive);

        var final = File.ReadAllText(Path.Combine(dir, "final_report.md"));
        Assert.Contains("| Step | Request | HTTP | Items | Total | ms | Outcome | Note |", final);
        Assert.Matches(@"\| A1 \| GET /orders\?organization=org-test&payed=1&since=[^|]+ \| 200 \| 50 \| 123183 \| \d+ \| Ignored \| ignored: the default first page", final);
        Assert.Contains("## Verdict", final);
        Assert.Contains("G not run: no loader.", final);
        Assert.Contains("G not run: no loader.", File.ReadAllText(Path.Combine(dir, "step00_env.txt")));
        var ticket = File.ReadAllText(Path.Combine(dir, "support_ticket_draft.md"));
        Assert.Contains(CannedApi.Fingerprint, ticket);
        Assert.Contains("org-test", ticket);
        Assert.Contains("Шаг E2: POST https://qtickets.example.test/api/rest/v1/orders", ticket);
        Assert.Contains("UTC", ticket);
        Assert.Contains("Moscow", ticket);

        var archived = new Dictionary<string, string>();
        using (var gz = new GZipStream(File.OpenRead(report.Archive!), CompressionMode.Decompress))
        using (var tar = new TarReader(gz))
            while (tar.GetNextEntry() is { } entry)
                if (entry.DataStream is { } data)
                    archived[entry.Name] = new StreamReader(data, Encoding.UTF8).ReadToEnd();
        foreach (var name in report.Files) Assert.Contains("qtickets_debug_test/" + name, archived.Keys);

        foreach (var (name, text) in archived.Concat(report.Files.Select(f => KeyValuePair.Create(f, File.ReadAllText(Path.Combine(dir, f))))))
        {
            Assert.False(text.Contains(CannedApi.Token, StringComparison.Ordinal), name + " holds the token");
            Assert.False(Regex.IsMatch(text, @"buyer\d+@example\.test|\+7\d{10}|Buyer\d*\b"), name + " holds personal data");
        }
    }

    [Fact]
    public async Task The_support_ticket_of_an_unavailable_API_lists_every_request_with_its_time()
    {
        var api = CannedApi.Always(HttpStatusCode.ServiceUnavailable, "{\"error\":\"Unknown error\",\"status\":503,\"code\":\"UNKNOWN_ERROR\",\"info\":[]}");
        var (_, verdict) = await CannedApi.RunAsync(CannedApi.Settings(api, steps: new[] { "J1", "H" }));
        var report = EndpointReportWriter.Write(verdict, Path.Combine(_root, "down"), archive: false);
        Assert.Null(report.Archive);
        var ticket = File.ReadAllText(Path.Combine(report.Directory, "support_ticket_draft.md"));
        Assert.Contains("все запросы к /orders завершаются ошибкой", ticket);
        Assert.Contains("### Шаг J1: GET https://qtickets.example.test/api/rest/v1/orders", ticket);
        Assert.Contains("\"column\":\"payed_at\"", ticket);
        Assert.Matches(@"- Время: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(.* Moscow\)", ticket);
        Assert.Contains("UNKNOWN_ERROR", ticket);
    }
}
