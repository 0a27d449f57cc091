using QTickets.Core.Configuration;
using System.Globalization;

namespace QTickets.Core.Diagnostics;

/// <summary>Computes the <see cref="EndpointVerdict"/> from a run's results. Pure: no I/O, no clock.</summary>
public static class VerdictBuilder
{
    public static EndpointVerdict Build(IReadOnlyList<EndpointProbeResult> results, ProbeSettings settings, DateTimeOffset startedAt, DateTimeOffset finishedAt) =>
        Build(results, settings.BaseUrl.ToString(), settings.TokenFingerprint, settings.Organization, settings.IncludeWriteProbes,
            settings.IncludePersonalData, startedAt, finishedAt);

    public static EndpointVerdict Build(IReadOnlyList<EndpointProbeResult> results, string baseUrl, string tokenFingerprint, string organization,
        bool writeProbesSent, bool personalDataIncluded, DateTimeOffset startedAt, DateTimeOffset finishedAt)
    {
        var sent = results.Where(r => r.Kind != ProbeKind.Environment && r.Outcome is not (ProbeOutcome.Skipped or ProbeOutcome.NotApplicable)).ToList();
        var answered = sent.Where(r => r.StatusCode is >= 200 and < 300).ToList();
        var rejected = sent.Where(r => r.StatusCode is 401 or 403).ToList();
        var working = results.Where(r => r.Outcome == ProbeOutcome.Applied).ToList();
        var ignored = results.Where(r => r.Outcome == ProbeOutcome.Ignored).ToList();
        var failed = results.Where(r => r.Outcome is ProbeOutcome.Failed or ProbeOutcome.Unreachable).ToList();
        var empty = results.Where(r => r.Outcome == ProbeOutcome.Empty).ToList();
        var skipped = results.Where(r => r.Outcome == ProbeOutcome.Skipped).ToList();
        var notApplicable = results.Where(r => r.Outcome == ProbeOutcome.NotApplicable).ToList();
        var first = sent.Count > 0 ? sent.Min(r => r.StartedAt) : startedAt;
        var last = sent.Count > 0 ? sent.Max(r => r.StartedAt.AddMilliseconds(r.ElapsedMs)) : finishedAt;

        var kind = sent.Count > 0 && answered.Count == 0
            ? rejected.Count > 0 ? VerdictKind.TokenRejected : VerdictKind.ApiUnavailable
            : working.Count > 0 ? VerdictKind.WorkingFormFound : VerdictKind.NoWorkingForm;

        var findings = new List<string>();
        string summary, headline, recommendation;
        var best = working.FirstOrDefault(r => r.Kind == ProbeKind.JsonBody) ?? working.FirstOrDefault();
        switch (kind)
        {
            case VerdictKind.ApiUnavailable:
                summary = "The QTickets API did not answer, so nothing could be checked: nothing is wrong on your side; run the check again later.";
                headline = $"The QTickets API was unavailable: all {sent.Count} requests failed between {ProbeClock.Utc(first)} and {ProbeClock.Utc(last)} " +
                           $"({ProbeClock.MoscowText(first)}–{ProbeClock.MoscowText(last, "HH:mm:ss")} Moscow): {Tally(sent)}.";
                findings.Add($"Base URL {baseUrl}, token {tokenFingerprint}, organisation {Org(organization)}.");
                findings.AddRange(sent.Select(Detail));
                recommendation = "Nothing can be concluded about request forms while the API does not answer. Run the protocol again later; " +
                                 "if it keeps failing, send support_ticket_draft.md (exact times and requests) to QTickets support.";
                break;
            case VerdictKind.TokenRejected:
                summary = $"QTickets refused the token, so no sales can be read: copy the token again from {TokenSource.CabinetLocation}.";
                headline = $"The token {tokenFingerprint} is rejected: {rejected.Count} of {sent.Count} requests got HTTP {rejected[0].StatusCode} from {baseUrl}, none succeeded.";
                findings.AddRange(sent.Select(Detail));
                recommendation = $"Check QTICKETS_TOKEN: the token with fingerprint {tokenFingerprint} was sent. Copy it again from " +
                                 TokenSource.CabinetLocation + ", or ask QTickets support for a new one, then run the protocol again.";
                break;
            default:
                findings.AddRange(Working(working));
                findings.AddRange(Ignored(ignored));
                findings.AddRange(Empty(empty));
                findings.AddRange(Failing(failed));
                if (rejected.Count > 0 && answered.Count > 0)
                    findings.Add($"The token {tokenFingerprint} was rejected on {string.Join(", ", rejected.Select(r => r.Step))} but accepted elsewhere.");
                findings.AddRange(results.Where(r => r.Outcome == ProbeOutcome.Info && r.Kind is ProbeKind.ById or ProbeKind.Head or ProbeKind.Repeat503)
                    .Select(r => $"{r.Step} ({r.Method} {Path(r.Url, baseUrl)}): {r.Finding}."));
                if (skipped.Count > 0)
                    findings.Add($"Not sent: {string.Join(", ", skipped.Select(r => $"{r.Step} ({ProbeCatalog.Find(r.Step)?.Form ?? r.Method})"))}, " +
                                 "because POST /orders may create an order on the real API; -IncludeWriteProbes sends them.");
                findings.AddRange(notApplicable.Select(r => $"{r.Step} not run: {r.Finding}."));
                if (kind == VerdictKind.WorkingFormFound)
                {
                    var form = ProbeCatalog.Find(best!.Step)?.Form ?? best!.Step;
                    var parts = new List<string> { $"{Cap(form)} works ({best.Step}: {best.ItemCount} paid orders in the window, paging.total {Num(best.PagingTotal)})" };
                    if (ignored.Any(r => r.Kind == ProbeKind.FlatQuery)) parts.Add("flat query parameters are ignored");
                    var failedForms = failed.Where(r => r.Kind != ProbeKind.Repeat503).Select(r => $"{r.Step} {Short(r)}").ToList();
                    if (failedForms.Count > 0) parts.Add("failing: " + string.Join(", ", failedForms));
                    if (skipped.Count > 0) parts.Add("POST probes not sent");
                    headline = string.Join("; ", parts) + ".";
                    summary = best.Kind == ProbeKind.JsonBody
                        ? $"Sales are there and the loader reads them ({best.ItemCount} paid orders in the period checked): nothing to do."
                        : "Sales are there, but only a request form the loader does not use returns them: send this report to whoever runs the loader.";
                    recommendation = best.Kind == ProbeKind.JsonBody
                        ? "Use GET /orders with the filter in a JSON body (where payed = 1 and payed_at in the window, orderBy id asc, per_page) " +
                          "and page until a page comes back short or empty (paging.total can be wrong); this is the form Get-QTicketsOrder sends. Do not use flat query parameters or POST for reading orders."
                        : $"Use the form of {string.Join(", ", working.Select(r => r.Step))} ({form}); page until a page comes back short or empty (paging.total can be wrong).";
                }
                else if (!sent.Any(r => r.Kind is ProbeKind.Baseline or ProbeKind.FlatQuery or ProbeKind.JsonBody or ProbeKind.Write))
                {
                    summary = "The check did not ask for orders at all, so it cannot say whether sales are there: run it without -Step.";
                    headline = $"No request form for listing orders was tested (steps run: {string.Join(", ", results.Select(r => r.Step))}).";
                    recommendation = "Run Test-QTicketsEndpoint without -Step, or with the steps to test (A1–C2, J1, E1, E2).";
                }
                else
                {
                    summary = "QTickets answers, but returned no paid orders for the period checked: look in the QTickets cabinet whether there were sales then.";
                    headline = "No request form returned paid orders in the window" +
                               (empty.Count > 0 ? $": {string.Join(", ", empty.Select(r => r.Step))} answered 200 with no orders." : ".");
                    recommendation = empty.Any(r => r.Kind == ProbeKind.JsonBody)
                        ? "The documented form answered but found no paid orders in the window: check in the QTickets cabinet that orders were paid in that period. " +
                          "If they were, send support_ticket_draft.md to QTickets support."
                        : "Send support_ticket_draft.md to QTickets support: it holds the exact requests, answers and times.";
                }
                break;
        }

        return new EndpointVerdict
        {
            Kind = kind, Summary = summary, Headline = headline, Findings = findings, Recommendation = recommendation,
            WorkingSteps = working.Select(r => r.Step).ToArray(), IgnoredSteps = ignored.Select(r => r.Step).ToArray(),
            FailedSteps = failed.Select(r => r.Step).ToArray(), SkippedSteps = skipped.Select(r => r.Step).ToArray(),
            PaidOrdersInWindow = best?.InWindowCount, PaidOrdersTotal = best?.PagingTotal,
            BaseUrl = baseUrl, TokenFingerprint = tokenFingerprint, Organization = organization,
            StartedAt = startedAt, FinishedAt = finishedAt, WriteProbesSent = writeProbesSent, PersonalDataIncluded = personalDataIncluded,
            Results = results,
        };
    }

    static IEnumerable<string> Working(List<EndpointProbeResult> working) =>
        working.GroupBy(r => ProbeCatalog.Find(r.Step)?.Form ?? r.Step).Select(g =>
        {
            var r = g.First();
            var window = r.Window is { } w ? $" paid between {ProbeClock.Iso(w.Start)} and {ProbeClock.Iso(w.End)}" : "";
            return $"Works: {g.Key} ({string.Join(", ", g.Select(x => x.Step))}) returned {r.ItemCount} paid orders{window} " +
                   $"(paging.total {Num(r.PagingTotal)}, perPage {Num(r.PerPage)}).";
        });

    static IEnumerable<string> Ignored(List<EndpointProbeResult> ignored)
    {
        var flat = ignored.Where(r => r.Kind == ProbeKind.FlatQuery).ToList();
        if (flat.Count > 0)
        {
            var head = flat[0];
            var rest = flat.Skip(1).Select(r =>
            {
                var why = new List<string>();
                var step = ProbeCatalog.Find(r.Step);
                if (step?.ExpectPerPage is { } pp && r.PerPage is { } got && got != pp) why.Add($"per_page={pp} gave {got} a page");
                if (step?.ExpectPage is { } p && r.CurrentPage is { } cur && cur != p) why.Add($"page={p} gave page {cur}");
                if (step?.ExpectPayed == false && r.PaidCount > 0) why.Add($"payed=0 gave {r.PaidCount} paid");
                return why.Count > 0 ? $"{r.Step} ({string.Join(", ", why)})" : r.Step;
            }).ToList();
            yield return $"Flat query parameters are ignored: {head.Step} returned {Page(head)}" +
                         (rest.Count > 0 ? $"; so did {string.Join(", ", rest)}." : ".");
        }
        foreach (var r in ignored.Where(r => r.Kind != ProbeKind.FlatQuery))
            yield return $"{Cap(ProbeCatalog.Find(r.Step)?.Form ?? r.Step)} is ignored: {r.Step} returned {Page(r)} ({r.Finding}).";
    }

    static IEnumerable<string> Empty(List<EndpointProbeResult> empty) =>
        empty.Select(r => $"{Cap(ProbeCatalog.Find(r.Step)?.Form ?? r.Step)} ({r.Step}) answered 200 with no orders" +
                          (r.Window is { } w ? $" paid between {ProbeClock.Iso(w.Start)} and {ProbeClock.Iso(w.End)}." : "."));

    static IEnumerable<string> Failing(List<EndpointProbeResult> failed)
    {
        foreach (var r in failed)
        {
            var form = r.Kind == ProbeKind.Repeat503 ? "The repeat" : Cap(ProbeCatalog.Find(r.Step)?.Form ?? r.Step);
            yield return $"{form} fails: {r.Step} {r.Method} {r.Url}{(r.RequestBody is null ? "" : " with a JSON body")} -> {r.Finding} " +
                         $"at {ProbeClock.Both(r.StartedAt)}.";
        }
    }

    /// <summary>"the default first page, 50 orders of all statuses (38 paid, 12 unpaid), from 2021-03-01, paging.total 123183".</summary>
    static string Page(EndpointProbeResult r)
    {
        var text = r.SameAsDefaultPage == true ? "the default first page, " : "";
        text += $"{r.ItemCount} orders";
        if (r.PaidCount > 0 && r.UnpaidCount > 0) text += $" of all statuses ({r.PaidCount} paid, {r.UnpaidCount} unpaid)";
        else if (r.UnpaidCount == 0) text += " (all paid)";
        else text += " (all unpaid)";
        if (r.EarliestCreatedAt is { } from) text += $", from {ProbeClock.MoscowText(from, "yyyy-MM-dd")}";
        if (r.PagingTotal is { } total) text += $", paging.total {total.ToString(CultureInfo.InvariantCulture)}";
        return text;
    }

    static string Detail(EndpointProbeResult r) =>
        $"{ProbeClock.Both(r.StartedAt)}: {r.Step} {r.Method} {r.Url}{(r.RequestBody is null ? "" : " body " + r.RequestBody)} -> " +
        $"{(r.StatusCode?.ToString(CultureInfo.InvariantCulture) ?? "no answer")} after {r.ElapsedMs} ms: {r.Finding}";

    static string Tally(List<EndpointProbeResult> sent) => string.Join(", ",
        sent.GroupBy(Short).Select(g => $"{g.Count()} × {g.Key}"));

    static string Short(EndpointProbeResult r) => r.StatusCode switch
    {
        null => "no answer",
        404 when r.ContentType?.Contains("html", StringComparison.OrdinalIgnoreCase) == true => "404 HTML",
        503 when (r.ResponseBody ?? r.Finding).Contains("UNKNOWN_ERROR", StringComparison.Ordinal) => "503 UNKNOWN_ERROR",
        { } s => s.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The URL relative to the base URL (the whole URL when it is elsewhere).</summary>
    internal static string Path(string url, string baseUrl)
    {
        var prefix = baseUrl.TrimEnd('/');
        return url.StartsWith(prefix, StringComparison.Ordinal) ? url[prefix.Length..] : url;
    }

    static string Org(string organization) => organization.Length > 0 ? organization : "(not set)";

    static string Num(int? n) => n?.ToString(CultureInfo.InvariantCulture) ?? "?";

    static string Cap(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
