using System.Globalization;

namespace QTickets.Core.Diagnostics;

/// <summary>
/// Judges one answer against its step's hypothesis. For list answers the tell-tale signs that the server ignored
/// what was sent are those of the legacy captures: the default first page again (same ids as A0), unpaid
/// orders although paid ones were asked for, payed_at outside the window, paging.total equal to the unfiltered
/// total, and per_page/page not taken.
/// </summary>
internal static class ProbeAnalyzer
{
    public static (ProbeOutcome Outcome, string Finding) Judge(
        ProbeStep step, ProbeResponse response, PageFacts facts, ProbeWindowSet windows, EndpointProbeResult? baseline)
    {
        if (response.StatusCode is null)
            return (ProbeOutcome.Unreachable, "no answer: " + (response.Error ?? "unknown error"));
        var status = response.StatusCode.Value;
        if (status is < 200 or >= 300) return (ProbeOutcome.Failed, DescribeError(response, facts));

        switch (step.Kind)
        {
            case ProbeKind.Head:
                return (ProbeOutcome.Info, $"answered {status} ({response.ContentType ?? "no content type"})");
            case ProbeKind.ById:
                if (!facts.IsSingle) return (ProbeOutcome.Failed, $"{status} but no order object in data" + JsonNote(facts));
                return (ProbeOutcome.Info, $"order {facts.Ids.FirstOrDefault()} served: " +
                    (facts.SinglePayed == true ? "paid " + Day(facts.PayedAt.FirstOrDefault()) : "not paid"));
            case ProbeKind.Baseline:
                if (!facts.IsList) return (ProbeOutcome.Failed, $"{status} but not an orders list" + JsonNote(facts));
                return (ProbeOutcome.Info, $"default page: {facts.Items} orders ({facts.Paid} paid, {facts.Unpaid} unpaid)" +
                    Since(facts) + $", perPage {Show(facts.PerPage)}, total {Show(facts.Total)}");
        }

        if (!facts.IsList) return (ProbeOutcome.Failed, $"{status} but not an orders list" + JsonNote(facts));
        var evidence = Evidence(step, facts, windows, baseline);
        if (evidence.Count > 0) return (ProbeOutcome.Ignored, "ignored: " + string.Join("; ", evidence));
        if (facts.Items == 0)
            return (ProbeOutcome.Empty, $"answered 200 with no orders (total {Show(facts.Total)}): nothing to confirm the filter with");
        var window = step.Window is { } k ? $" in the {WindowName(k)} window" : "";
        var what = step.ExpectPayed == false ? "unpaid orders" : "paid orders";
        return (ProbeOutcome.Applied, $"applied: {facts.Items} {what}{window} (total {Show(facts.Total)}, perPage {Show(facts.PerPage)})");
    }

    static List<string> Evidence(ProbeStep step, PageFacts facts, ProbeWindowSet windows, EndpointProbeResult? baseline)
    {
        var evidence = new List<string>();
        var sameAsDefault = SameAsDefault(facts, baseline);
        if (sameAsDefault == true) evidence.Add($"the default first page again (the same {facts.Items} orders as A0)");
        if (step.ExpectPayed == true && facts.Unpaid > 0) evidence.Add($"{facts.Unpaid} of {facts.Items} orders unpaid");
        if (step.ExpectPayed == false && facts.Paid > 0) evidence.Add($"{facts.Paid} of {facts.Items} orders paid");
        if (step.Window is { } kind)
        {
            var w = windows[kind];
            var outside = facts.PayedAt.Where(t => !w.Contains(t)).ToList();
            if (outside.Count > 0)
                evidence.Add($"{outside.Count} paid outside the {WindowName(kind)} window (from {Day(outside.Min())})");
        }
        if (facts.Items > 0 && baseline?.PagingTotal is { } unfiltered && facts.Total == unfiltered)
            evidence.Add($"paging.total {unfiltered} = the unfiltered total");
        if (step.ExpectPerPage is { } perPage && facts.PerPage is { } got && got != perPage)
            evidence.Add($"perPage {got}, not {perPage}");
        if (step.ExpectPage is { } page && facts.CurrentPage is { } current && current != page)
            evidence.Add($"currentPage {current}, not {page}");
        return evidence;
    }

    internal static bool? SameAsDefault(PageFacts facts, EndpointProbeResult? baseline)
    {
        if (baseline is null || baseline.OrderIds.Count == 0 || facts.Items == 0) return null;
        return facts.Ids.SequenceEqual(baseline.OrderIds);
    }

    static string DescribeError(ProbeResponse r, PageFacts facts)
    {
        var status = r.StatusCode!.Value;
        var isHtml = r.ContentType?.Contains("html", StringComparison.OrdinalIgnoreCase) == true;
        var code = facts.ErrorCode is { Length: > 0 } c ? " " + c : "";
        var text = facts.ErrorText is { Length: > 0 } t ? $" \"{Short(t)}\"" : "";
        return status switch
        {
            401 or 403 => $"{status}{code}{text}: the token is rejected",
            404 when isHtml => "404 HTML page: no such route",
            404 => $"404{code}{text}",
            429 => $"429 rate limited{text}",
            _ when isHtml => $"{status} {r.ReasonPhrase} (HTML page)",
            _ => $"{status}{(code.Length > 0 ? code : " " + r.ReasonPhrase)}{text}",
        };
    }

    static string JsonNote(PageFacts facts) =>
        facts.JsonError is { } e ? " (the body is not valid JSON: " + Short(e) + ")" : facts.IsJson ? "" : " (the body is not JSON)";

    static string Since(PageFacts facts) => facts.EarliestCreated is { } t ? ", from " + Day(t) : "";

    internal static string WindowName(ProbeWindowKind kind) => kind switch
    {
        ProbeWindowKind.Hours24 => "24 h",
        ProbeWindowKind.Days90 => "90-day",
        _ => "30-day",
    };

    static string Day(DateTimeOffset t) => t == default ? "?" : ProbeClock.MoscowText(t, "yyyy-MM-dd");

    static string Show(int? n) => n?.ToString(CultureInfo.InvariantCulture) ?? "?";

    static string Short(string s) => s.Length <= 120 ? s : s[..117] + "...";
}
