using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace QTickets.Core.Diagnostics;

/// <summary>
/// Writes the debug protocol's artifacts in the legacy team's layout: per step the body, the headers and an
/// outcome file, step00_env.txt, final_report.md, README_TESTING.md, support_ticket_draft.md, and the folder as
/// .tar.gz. Writes only what the results hold: the token is never in them, bodies are already masked.
/// </summary>
public static class EndpointReportWriter
{
    static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static EndpointReport Write(EndpointVerdict verdict, string directory, IReadOnlyList<string>? notes = null, string? archivePath = null, bool archive = true)
    {
        notes ??= Array.Empty<string>();
        directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(directory);
        var written = new List<string>();
        void Save(string name, string content)
        {
            File.WriteAllText(Path.Combine(directory, name), content, s_utf8);
            written.Add(name);
        }

        foreach (var r in verdict.Results)
        {
            if (r.Kind == ProbeKind.Environment)
            {
                Save(r.Artifact + ".txt", (r.ResponseBody ?? r.Finding) + string.Concat(notes.Select(n => "Note:               " + n + "\n")));
                continue;
            }
            if (r.ResponseBody is not null) Save(r.Artifact + "." + Extension(r), r.ResponseBody);
            if (r.RequestHeaders is not null || r.ResponseHeaders is not null)
                Save(r.Artifact + ".headers.txt", HeadersFile(r));
            Save(r.Artifact + ".outcome.txt", OutcomeFile(r));
        }
        Save("final_report.md", FinalReport(verdict, notes));
        Save("README_TESTING.md", ReadmeTesting(verdict, notes));
        Save("support_ticket_draft.md", SupportTicket(verdict));

        string? archiveFile = null;
        if (archive)
        {
            archiveFile = Path.GetFullPath(archivePath ?? directory.TrimEnd(Path.DirectorySeparatorChar) + ".tar.gz");
            using var file = File.Create(archiveFile);
            using var gzip = new GZipStream(file, CompressionLevel.Optimal);
            TarFile.CreateFromDirectory(directory, gzip, includeBaseDirectory: true);
        }
        return new EndpointReport
        {
            Directory = directory, Archive = archiveFile, Files = written.Order(StringComparer.Ordinal).ToArray(),
            Kind = verdict.Kind, Headline = verdict.Headline,
        };
    }

    static string Extension(EndpointProbeResult r)
    {
        var type = r.ContentType ?? "";
        if (type.Contains("html", StringComparison.OrdinalIgnoreCase)) return "html";
        if (type.Contains("json", StringComparison.OrdinalIgnoreCase) || r.ResponseBody?.TrimStart() is ['{' or '[', ..]) return "json";
        return "txt";
    }

    static string HeadersFile(EndpointProbeResult r)
    {
        var text = new StringBuilder();
        text.Append("# Request (the token is shown as its fingerprint)\n").Append(r.RequestHeaders ?? "(not sent)\n");
        text.Append("\n# Response\n").Append(r.ResponseHeaders ?? "(no answer: " + r.Finding + ")\n");
        return text.ToString();
    }

    static string OutcomeFile(EndpointProbeResult r)
    {
        var lines = new List<(string, string?)>
        {
            ("Step", r.Step), ("Hypothesis", r.Hypothesis), ("Outcome", r.Outcome.ToString()), ("Finding", r.Finding),
            ("Request", r.Method.Length > 0 ? $"{r.Method} {r.Url}" : null), ("Request body", r.RequestBody),
            ("Sent at", r.Method.Length > 0 ? ProbeClock.Both(r.StartedAt) : null),
            ("HTTP status", r.StatusCode?.ToString(CultureInfo.InvariantCulture)), ("Content-Type", r.ContentType),
            ("Elapsed", r.Method.Length > 0 && r.Outcome != ProbeOutcome.Skipped ? r.ElapsedMs.ToString(CultureInfo.InvariantCulture) + " ms" : null),
            ("Items", N(r.ItemCount)), ("Paid / unpaid", r.PaidCount is null ? null : $"{r.PaidCount} / {r.UnpaidCount}"),
            ("Window", r.Window?.ToString()), ("Paid in window", N(r.InWindowCount)),
            ("paging", r.PerPage is null && r.PagingTotal is null ? null : $"perPage {N(r.PerPage)}, currentPage {N(r.CurrentPage)}, total {N(r.PagingTotal)}"),
            ("Order ids", r.FirstOrderId is null ? null : $"{r.FirstOrderId} .. {r.LastOrderId}"),
            ("Earliest created_at", r.EarliestCreatedAt is { } c ? ProbeClock.Iso(c) : null),
            ("payed_at range", r.EarliestPayedAt is { } a ? $"{ProbeClock.Iso(a)} .. {ProbeClock.Iso(r.LatestPayedAt!.Value)}" : null),
            ("Same as default page", r.SameAsDefaultPage?.ToString()), ("Request id", r.RequestId),
            ("Personal data", r.ResponseBody is null ? null : r.PersonalDataIncluded ? "included" : "masked"),
        };
        return string.Concat(lines.Where(l => l.Item2 is not null).Select(l => $"{l.Item1 + ":",-22}{l.Item2}\n"));
    }

    static string FinalReport(EndpointVerdict v, IReadOnlyList<string> notes)
    {
        var md = new StringBuilder();
        md.Append("# QTickets API debug protocol: final report\n\n");
        md.Append($"- Run: {ProbeClock.Both(v.StartedAt)} to {ProbeClock.Both(v.FinishedAt)}\n");
        md.Append($"- Base URL: `{v.BaseUrl}`\n- Token: `{v.TokenFingerprint}` (fingerprint)\n- Organisation: {(v.Organization.Length > 0 ? v.Organization : "(not set)")}\n");
        md.Append($"- Write probes (POST): {(v.WriteProbesSent ? "sent" : "not sent")}; personal data in saved bodies: {(v.PersonalDataIncluded ? "included" : "masked")}\n\n");
        md.Append("| Step | Request | HTTP | Items | Total | ms | Outcome | Note |\n|---|---|---|---|---|---|---|---|\n");
        foreach (var r in v.Results)
        {
            var request = r.Method.Length == 0 ? "(environment)" : $"{r.Method} {VerdictBuilder.Path(r.Url, v.BaseUrl)}{(r.RequestBody is null ? "" : " + JSON body")}";
            md.Append($"| {r.Step} | {Cell(request)} | {r.StatusCode?.ToString(CultureInfo.InvariantCulture) ?? "-"} | {N(r.ItemCount) ?? "-"} | " +
                      $"{N(r.PagingTotal) ?? "-"} | {(r.Method.Length > 0 && r.Outcome != ProbeOutcome.Skipped && r.Outcome != ProbeOutcome.NotApplicable ? r.ElapsedMs.ToString(CultureInfo.InvariantCulture) : "-")} | " +
                      $"{r.Outcome} | {Cell(r.Finding)} |\n");
        }
        md.Append("\n## Verdict\n\n").Append(v.Summary).Append("\n\n**").Append(v.Headline).Append("**\n\n");
        foreach (var line in v.Findings) md.Append("- ").Append(line).Append('\n');
        md.Append("\n**What to do:** ").Append(v.Recommendation).Append('\n');
        AppendNotes(md, notes);
        md.Append("\nPer step: `step<ID>_*.json|html` (body), `.headers.txt` (request and response headers), `.outcome.txt`. ");
        md.Append("See README_TESTING.md for how this run differs from the manual protocol.\n");
        return md.ToString();
    }

    static string ReadmeTesting(EndpointVerdict v, IReadOnlyList<string> notes)
    {
        var md = new StringBuilder();
        md.Append("# How this protocol was run\n\n");
        md.Append("Produced by `Test-QTicketsEndpoint` / `scripts/Invoke-QTicketsDebugProtocol.ps1` (QTickets.PowerShell) instead of the manual curl protocol. ");
        md.Append("Every step is one request with a plain HTTP client: no retries, no redirects, no local re-filtering, so each answer is the server's own.\n\n");
        md.Append("## Deviations from the manual protocol\n\n");
        md.Append("- **A0 added**: `GET /orders` without parameters, the default first page that every flat-parameter answer is compared with (same ids, same paging.total).\n");
        md.Append("- **J1 added**: the documented form, `GET /orders` with a JSON body (`where` payed = 1 and a payed_at window, `orderBy` id asc, `per_page` and `perPage` 200, `page` 1). The manual protocol never tried it.\n");
        md.Append("- **H added**: `HEAD /orders` (reachability and headers without a body).\n");
        md.Append("- **Steps A–C** send the flat parameters exactly as the legacy loader did (`since` with a compact `+0300` offset, `organization` when set); windows end at the start of the run.\n");
        md.Append("- **D** takes the order id from -OrderId, else from J1's answer, else from A0's.\n");
        md.Append($"- **E1, E2 (POST)** are sent only with -IncludeWriteProbes, because `POST /orders` may create an order on the real API. This run: {(v.WriteProbesSent ? "sent" : "not sent")}.\n");
        md.Append("- **F** repeats the first request that got 503 after -RetryDelaySeconds, automatically; when nothing got 503 it says so.\n");
        md.Append("- **G** (run the loader for the window where data was found, record ClickHouse counts): see the notes below.\n");
        md.Append("- **Headers files** hold the request (Authorization as a token fingerprint) and the response headers; the legacy `.headers.txt` held the response only.\n");
        md.Append($"- **Bodies**: {(v.PersonalDataIncluded ? "saved as received, personal data INCLUDED (-IncludePersonalData): do not share this folder" : "personal data masked (`***`): client, e-mails, phones, names, card mask, barcodes, ticket and payment URLs; JSON is re-indented")}.\n");
        md.Append("- **Times** are written in UTC and Moscow time; the token appears only as its fingerprint in every file.\n");
        md.Append("- **Analysis**: each outcome file says whether the server applied or ignored what was sent, and why; final_report.md ends with the verdict.\n");
        AppendNotes(md, notes);
        return md.ToString();
    }

    static void AppendNotes(StringBuilder md, IReadOnlyList<string> notes)
    {
        if (notes.Count == 0) return;
        md.Append("\n## Notes\n\n");
        foreach (var n in notes) md.Append("- ").Append(n).Append('\n');
    }

    static string SupportTicket(EndpointVerdict v)
    {
        var md = new StringBuilder();
        var subject = v.Kind switch
        {
            VerdictKind.ApiUnavailable => "REST API v1: все запросы к /orders завершаются ошибкой (503 / нет ответа)",
            VerdictKind.TokenRejected => "REST API v1: токен отклоняется (HTTP 403)",
            VerdictKind.NoWorkingForm => "REST API v1: GET /orders не возвращает оплаченные заказы за период",
            _ => "REST API v1: параметры запроса GET /orders игнорируются",
        };
        md.Append("# Черновик обращения в поддержку QTickets\n\n");
        md.Append($"**Тема:** {subject}\n\n");
        md.Append("Здравствуйте!\n\n");
        md.Append("Мы получаем заказы через REST API v1 и просим помочь разобраться с ответами API.\n\n");
        md.Append($"- Организация: {(v.Organization.Length > 0 ? v.Organization : "(указать)")}\n");
        md.Append($"- Токен (отпечаток: первые и последние символы): `{v.TokenFingerprint}`\n");
        md.Append($"- Адрес API: `{v.BaseUrl}`\n");
        md.Append($"- Время проверки: {ProbeClock.Utc(v.StartedAt)} – {ProbeClock.Utc(v.FinishedAt)} " +
                  $"(по Москве {ProbeClock.MoscowText(v.StartedAt)} – {ProbeClock.MoscowText(v.FinishedAt, "HH:mm:ss")})\n\n");
        md.Append("## Что происходит\n\n");
        md.Append(v.Kind switch
        {
            VerdictKind.ApiUnavailable => "Все запросы за время проверки завершились ошибкой (см. ниже точное время каждого запроса и ответ).\n\n",
            VerdictKind.TokenRejected => "API отвечает 403 на запросы с нашим токеном.\n\n",
            VerdictKind.NoWorkingForm => "Ни одна из форм запроса не вернула оплаченные заказы за период, хотя продажи были.\n\n",
            _ => "Фильтры, переданные параметрами строки запроса (payed, since, per_page, page, status), не применяются: " +
                 "возвращается первая страница по умолчанию со всеми статусами. Запрос GET с JSON-телом (where/orderBy/page) работает.\n\n",
        });
        md.Append("Итог автоматической проверки (англ.): ").Append(v.Headline).Append("\n\n");
        var shown = v.Results.Where(r => r.Outcome is ProbeOutcome.Failed or ProbeOutcome.Unreachable or ProbeOutcome.Ignored or ProbeOutcome.Empty).ToList();
        if (shown.Count > 0)
        {
            md.Append("## Запросы и ответы\n\n");
            foreach (var r in shown)
            {
                md.Append($"### Шаг {r.Step}: {r.Method} {r.Url}\n\n");
                md.Append($"- Время: {ProbeClock.Both(r.StartedAt)}\n");
                md.Append("- Заголовки: `Accept: application/json`, `Authorization: Bearer <токен>`" +
                          (r.RequestBody is null ? "\n" : ", `Content-Type: application/json`\n"));
                if (r.RequestBody is not null) md.Append("- Тело запроса:\n\n```json\n").Append(r.RequestBody).Append("\n```\n");
                md.Append($"- Ответ: {(r.StatusCode?.ToString(CultureInfo.InvariantCulture) ?? "нет ответа")}" +
                          $"{(r.ContentType is null ? "" : ", " + r.ContentType)}, {r.ElapsedMs} мс — {r.Finding}\n");
                if (r.ResponseBody is { Length: > 0 } body)
                    md.Append("- Начало ответа:\n\n```\n").Append(body.Length > 600 ? body[..600] + "\n..." : body).Append("\n```\n");
                md.Append('\n');
            }
        }
        md.Append("## Вопросы\n\n");
        md.Append(v.Kind switch
        {
            VerdictKind.ApiUnavailable => "1. Были ли в это время проблемы на стороне API? 2. Нужно ли что-то изменить в запросах?\n",
            VerdictKind.TokenRejected => "1. Действителен ли токен с этим отпечатком и к какой организации он относится? 2. Как получить рабочий токен?\n",
            _ => "1. Подтвердите, пожалуйста, что фильтры (where, orderBy, page) передаются только в JSON-теле GET-запроса. " +
                 "2. Какой ключ размера страницы правильный (per_page или perPage) и каков максимум? " +
                 "3. Означает ли 503 UNKNOWN_ERROR на POST /orders попытку создать заказ?\n",
        });
        md.Append("\nПолный протокол (тела ответов без персональных данных, заголовки, время) приложен архивом.\n");
        return md.ToString();
    }

    static string Cell(string s) => s.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    static string? N(int? n) => n?.ToString(CultureInfo.InvariantCulture);
}
