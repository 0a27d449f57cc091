using System.Net;
using QTickets.Core.Diagnostics;

namespace QTickets.Unit.Tests.Diagnostics;

/// <summary>The analysis and the verdict on canned answers (no network, no PowerShell).</summary>
public sealed class VerdictTests
{
    [Fact]
    public async Task Production_like_answers_name_GET_with_a_JSON_body_as_the_working_form_and_flat_parameters_as_ignored()
    {
        var (results, verdict) = await CannedApi.RunAsync(CannedApi.Settings(CannedApi.ProductionLike(), writeProbes: true));

        Assert.Equal(VerdictKind.WorkingFormFound, verdict.Kind);
        Assert.Equal(new[] { "J1" }, verdict.WorkingSteps);
        Assert.Equal(new[] { "A1", "A2", "A3", "B1", "B2", "B3", "C1", "C2" }, verdict.IgnoredSteps);
        Assert.Equal(new[] { "E1", "E2", "F" }, verdict.FailedSteps);
        Assert.Equal(120, verdict.PaidOrdersInWindow);
        Assert.StartsWith("GET /orders with a JSON body works (J1: 120 paid orders in the window, paging.total 120); flat query parameters are ignored;", verdict.Headline);
        Assert.Contains(verdict.Findings, f => f.StartsWith(
            "Flat query parameters are ignored: A1 returned the default first page, 50 orders of all statuses (40 paid, 10 unpaid), from 2021-05-18, paging.total 123183; " +
            "so did A2 (per_page=200 gave 50 a page), A3 (page=2 gave page 1), B1, B2, B3 (payed=0 gave 40 paid), C1, C2.", StringComparison.Ordinal));
        Assert.Contains(verdict.Findings, f => f.StartsWith("POST /orders/filter fails: E1 POST https://qtickets.example.test/api/rest/v1/orders/filter with a JSON body -> 404 HTML page", StringComparison.Ordinal));
        Assert.Contains(verdict.Findings, f => f.StartsWith("POST /orders with a filter body fails: E2", StringComparison.Ordinal) && f.Contains("503 UNKNOWN_ERROR \"Unknown error\""));
        Assert.Contains(verdict.Findings, f => f.StartsWith("The repeat fails: F", StringComparison.Ordinal) && f.Contains("503 again after 0 s"));
        Assert.Contains("GET /orders with the filter in a JSON body", verdict.Recommendation);

        var a1 = results.Single(r => r.Step == "A1");
        Assert.Equal(ProbeOutcome.Ignored, a1.Outcome);
        Assert.True(a1.SameAsDefaultPage);
        Assert.Contains("the default first page again (the same 50 orders as A0)", a1.Finding);
        Assert.Contains("10 of 50 orders unpaid", a1.Finding);
        Assert.Contains("40 paid outside the 30-day window (from 2021-", a1.Finding);
        Assert.Contains("paging.total 123183 = the unfiltered total", a1.Finding);
        var d = results.Single(r => r.Step == "D");
        Assert.Equal(ProbeOutcome.Info, d.Outcome);
        Assert.EndsWith("/orders/9000000", d.Url);
    }

    [Fact]
    public async Task Without_write_probes_no_POST_is_sent_and_the_verdict_says_they_were_skipped()
    {
        var api = CannedApi.ProductionLike();
        var (results, verdict) = await CannedApi.RunAsync(CannedApi.Settings(api));

        Assert.DoesNotContain(api.Requests, r => r.Method == HttpMethod.Post);
        Assert.Equal(new[] { "E1", "E2" }, verdict.SkippedSteps);
        Assert.Contains(verdict.Findings, f => f.StartsWith("Not sent: E1 (POST /orders/filter), E2 (POST /orders with a filter body), because POST /orders may create an order", StringComparison.Ordinal));
        Assert.Contains(verdict.Findings, f => f == "F not run: no step answered 503: nothing to repeat.");
        Assert.Equal(ProbeOutcome.NotApplicable, results.Single(r => r.Step == "F").Outcome);
        Assert.EndsWith("POST probes not sent.", verdict.Headline);
    }

    [Fact]
    public async Task When_every_request_gets_503_the_verdict_says_the_API_is_unavailable_with_times_and_requests()
    {
        var api = CannedApi.Always(HttpStatusCode.ServiceUnavailable, "{\"error\":\"Unknown error\",\"status\":503,\"code\":\"UNKNOWN_ERROR\",\"info\":[]}");
        var (results, verdict) = await CannedApi.RunAsync(CannedApi.Settings(api));

        Assert.Equal(VerdictKind.ApiUnavailable, verdict.Kind);
        Assert.Matches(@"^The QTickets API was unavailable: all 12 requests failed between \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC and .* UTC \(.* Moscow\): 11 × 503 UNKNOWN_ERROR, 1 × 503\.$", verdict.Headline);
        Assert.Contains(verdict.Findings, f => f.Contains("A1 GET https://qtickets.example.test/api/rest/v1/orders?organization=org-test&payed=1&since=") && f.Contains("UTC (") && f.Contains("Moscow)"));
        Assert.Contains(verdict.Findings, f => f.Contains("J1 GET https://qtickets.example.test/api/rest/v1/orders body {\"where\":"));
        Assert.Equal("503 again after 0 s: A0's 503 is not transient for this request", results.Single(r => r.Step == "F").Finding);
        Assert.DoesNotContain(CannedApi.Token, verdict.Text);
    }

    [Fact]
    public async Task No_answer_at_all_is_unavailable_too()
    {
        var (results, verdict) = await CannedApi.RunAsync(CannedApi.Settings(CannedApi.NoAnswer(), steps: new[] { "A1", "H" }));
        Assert.Equal(new[] { "0", "A0", "A1", "H" }, results.Select(r => r.Step));
        Assert.All(results.Skip(1), r => Assert.Equal(ProbeOutcome.Unreachable, r.Outcome));
        Assert.Equal(VerdictKind.ApiUnavailable, verdict.Kind);
        Assert.Contains("3 × no answer", verdict.Headline);
        Assert.Contains("no answer: Connection refused (127.0.0.1:9)", results[1].Finding);
    }

    [Fact]
    public async Task A_403_says_the_token_is_rejected_with_its_fingerprint()
    {
        var (_, verdict) = await CannedApi.RunAsync(CannedApi.Settings(CannedApi.Always(HttpStatusCode.Forbidden, "{\"error\":\"Invalid token\",\"status\":403}"), steps: new[] { "J1" }));
        Assert.Equal(VerdictKind.TokenRejected, verdict.Kind);
        Assert.Equal($"The token {CannedApi.Fingerprint} is rejected: 2 of 2 requests got HTTP 403 from https://qtickets.example.test/api/rest/v1, none succeeded.", verdict.Headline);
        Assert.Contains("QTICKETS_TOKEN", verdict.Recommendation);
    }

    [Fact]
    public async Task A_JSON_body_answered_with_unpaid_orders_is_ignored_and_an_empty_answer_proves_nothing()
    {
        var now = DateTimeOffset.UtcNow;
        var unpaid = CannedApi.Always(HttpStatusCode.OK, CannedApi.PaidPage(5, now, payed: false));
        var (results, verdict) = await CannedApi.RunAsync(CannedApi.Settings(unpaid, steps: new[] { "J1" }));
        Assert.Equal(ProbeOutcome.Ignored, results.Single(r => r.Step == "J1").Outcome);
        Assert.Equal(VerdictKind.NoWorkingForm, verdict.Kind);

        var empty = CannedApi.Always(HttpStatusCode.OK, "{\"data\":[],\"paging\":{\"perPage\":200,\"currentPage\":1,\"total\":0}}");
        (results, verdict) = await CannedApi.RunAsync(CannedApi.Settings(empty, steps: new[] { "J1" }));
        Assert.Equal(ProbeOutcome.Empty, results.Single(r => r.Step == "J1").Outcome);
        Assert.Equal(VerdictKind.NoWorkingForm, verdict.Kind);
        Assert.Contains("check in the QTickets cabinet", verdict.Recommendation);
    }

    [Fact]
    public async Task Requests_carry_the_token_only_in_the_header_and_J1_sends_the_documented_JSON_body()
    {
        var api = CannedApi.ProductionLike();
        var (results, _) = await CannedApi.RunAsync(CannedApi.Settings(api, steps: new[] { "J1", "A2" }));

        Assert.All(api.Requests, r => Assert.Equal("Bearer " + CannedApi.Token, r.Authorization));
        Assert.All(api.Requests, r => Assert.DoesNotContain(CannedApi.Token, r.Url));
        var j1 = api.Requests.Single(r => r.Body is not null);
        Assert.Equal(HttpMethod.Get, j1.Method);
        Assert.Matches("""^\{"where":\[\{"column":"payed","value":1\},\{"column":"payed_at","operator":">=","value":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+03:00"\},\{"column":"payed_at","operator":"<","value":"[^"]+"\}\],"orderBy":\{"id":"asc"\},"per_page":200,"perPage":200,"page":1\}$""", j1.Body);
        Assert.Contains(api.Requests, r => r.Url.Contains("per_page=200") && r.Url.Contains("since=") && r.Url.Contains("%2B0300"));
        foreach (var r in results)
        {
            Assert.DoesNotContain(CannedApi.Token, r.RequestHeaders ?? "");
            Assert.DoesNotContain(CannedApi.Token, r.ResponseBody ?? "");
        }
        Assert.Contains("Authorization: Bearer " + CannedApi.Fingerprint, results.Single(r => r.Step == "J1").RequestHeaders);
    }

    [Fact]
    public void The_plan_adds_step_0_and_the_baseline_where_needed_in_protocol_order()
    {
        Assert.Equal(ProbeCatalog.Ids, EndpointProber.Plan(null));
        Assert.Equal(new[] { "0", "A0", "C2", "J1" }, EndpointProber.Plan(new[] { "j1", "C2" }));
        Assert.Equal(new[] { "0", "D", "H" }, EndpointProber.Plan(new[] { "H", "D" }));
    }

    [Fact]
    public async Task D_needs_an_order_id_from_an_earlier_step_or_the_parameter()
    {
        var (results, _) = await CannedApi.RunAsync(CannedApi.Settings(CannedApi.ProductionLike(), steps: new[] { "D" }));
        Assert.Equal("no order id: no earlier step returned orders; pass -OrderId", results.Single(r => r.Step == "D").Finding);

        (results, _) = await CannedApi.RunAsync(CannedApi.Settings(CannedApi.ProductionLike(), steps: new[] { "D" }, orderId: 1614202));
        var d = results.Single(r => r.Step == "D");
        Assert.Equal("stepD_get_orders_id_1614202", d.Artifact);
        Assert.StartsWith("order 1614202 served: paid 2021-", d.Finding);
    }

    [Fact]
    public async Task Saved_bodies_have_personal_data_masked_unless_asked_for()
    {
        var (results, _) = await CannedApi.RunAsync(CannedApi.Settings(CannedApi.ProductionLike(), steps: new[] { "J1" }));
        foreach (var r in results.Where(r => r.ResponseBody is not null && r.Kind != ProbeKind.Environment))
        {
            Assert.DoesNotMatch(@"buyer\d+@example\.test", r.ResponseBody);
            Assert.DoesNotMatch(@"\+7\d{10}", r.ResponseBody);
        }
        Assert.Contains("\"id\": 9000000", results.Single(r => r.Step == "J1").ResponseBody);
        Assert.Contains("\"client\": \"***\"", results.Single(r => r.Step == "A0").ResponseBody);

        var settings = CannedApi.Settings(CannedApi.ProductionLike(), steps: new[] { "J1" });
        settings = new ProbeSettings
        {
            BaseUrl = settings.BaseUrl, Token = settings.Token, TokenFingerprint = settings.TokenFingerprint, Handler = settings.Handler,
            Steps = settings.Steps, IncludePersonalData = true,
        };
        (results, _) = await CannedApi.RunAsync(settings);
        Assert.Contains("buyer1@example.test", results.Single(r => r.Step == "J1").ResponseBody);
    }
}
