using System.Globalization;
using QTickets.Core.Contracts;
using static QTickets.Core.Contracts.KnownTables;

namespace QTickets.Engine.ClickHouse;

/// <summary>
/// The legacy smoke checks, each a pass/fail with its value. Where the legacy only printed a
/// figure, the pass rule is the one its health check used (2 h freshness of the last ok run) or "selectable";
/// the duplicate check counts orders present under more than one key in FINAL, the double counting the legacy
/// key recipe caused (raw duplicate keys are normal in a ReplacingMergeTree before its merge).
/// </summary>
internal sealed class SmokeChecks(
    string db, Func<string, CancellationToken, Task<object?>> scalar, Func<string, CancellationToken, Task<List<object?[]>>> rows)
{
    static readonly string[] s_requiredObjects =
    {
        OrdersStaging, InventoryStaging, "v_qtickets_sales_dashboard", SalesDaily, SalesUtmDaily, InventoryLatest, PlanSales,
    };

    public async Task<IReadOnlyList<SmokeCheckResult>> RunAsync(string job, CancellationToken ct)
    {
        var results = new List<SmokeCheckResult>();
        var present = (await rows($"SELECT name FROM system.tables WHERE database = '{db}'", ct).ConfigureAwait(false))
            .Select(r => (string)r[0]!).ToHashSet(StringComparer.Ordinal);
        foreach (var name in s_requiredObjects)
            results.Add(new SmokeCheckResult
            {
                Name = $"exists.{name}", Passed = present.Contains(name), Value = present.Contains(name) ? "present" : "missing",
                Detail = present.Contains(name) ? "" : "run Initialize-QTicketsClickHouse",
            });
        if (!s_requiredObjects.All(present.Contains)) return results;

        results.Add(await Count("negative_revenue", $"SELECT count() FROM {db}.{SalesDaily} FINAL WHERE revenue < 0",
            "daily fact rows with revenue < 0", ct).ConfigureAwait(false));
        results.Add(await Count("negative_inventory",
            $"SELECT count() FROM {db}.{InventoryLatest} FINAL WHERE tickets_left < 0 OR tickets_total < 0 OR tickets_left > tickets_total",
            "inventory rows with negative tickets or more left than total", ct).ConfigureAwait(false));
        results.Add(await Count("duplicate_orders",
            $"SELECT count() FROM (SELECT order_id FROM {db}.{OrdersStaging} FINAL GROUP BY order_id HAVING count() > 1)",
            "orders staged under more than one _dedup_key (counted twice in the facts)", ct).ConfigureAwait(false));

        var sales = (await rows($"SELECT toString(max(sales_date)), today() - max(sales_date), countIf(sales_date >= today() - 7) " +
                                 $"FROM {db}.{SalesDaily} FINAL", ct).ConfigureAwait(false))[0];
        results.Add(Info("sales_freshness", $"{sales[0]} ({sales[1]} days ago)", $"{sales[2]} daily rows in the last 7 days"));
        var inventory = (await rows($"SELECT toString(max(snapshot_ts)), dateDiff('hour', max(snapshot_ts), now()), " +
                                     $"countIf(snapshot_ts >= now() - INTERVAL 48 HOUR) FROM {db}.{InventoryLatest} FINAL", ct).ConfigureAwait(false))[0];
        results.Add(Info("inventory_freshness", $"{inventory[0]} ({inventory[1]} hours ago)", $"{inventory[2]} rows in the last 48 h"));
        var staged = (await rows($"SELECT count(), toString(min(sale_ts)), toString(max(sale_ts)) FROM {db}.{OrdersStaging} FINAL " +
                                  "WHERE sale_ts >= now() - INTERVAL 48 HOUR", ct).ConfigureAwait(false))[0];
        results.Add(Info("staging_last_48h", Str(staged[0]), $"sale_ts {staged[1]} .. {staged[2]}"));

        var runs = await rows($"SELECT status, toString(started_at), dateDiff('minute', started_at, now()) FROM {db}.{JobRuns} " +
                               $"WHERE job = '{job.Replace("'", "\\'", StringComparison.Ordinal)}' AND status != 'stopped' ORDER BY started_at DESC LIMIT 1", ct).ConfigureAwait(false);
        var okRecent = (await scalar($"SELECT count() FROM {db}.{JobRuns} WHERE job = '{job.Replace("'", "\\'", StringComparison.Ordinal)}' " +
                                      "AND status = 'ok' AND started_at >= now() - INTERVAL 2 HOUR", ct).ConfigureAwait(false));
        results.Add(new SmokeCheckResult
        {
            Name = "job_runs",
            Passed = runs.Count > 0 && (string)runs[0][0]! == "ok" && Convert.ToUInt64(okRecent, CultureInfo.InvariantCulture) > 0,
            Value = runs.Count == 0 ? "no runs" : $"{runs[0][0]} at {runs[0][1]}",
            Detail = runs.Count == 0 ? $"no meta_job_runs row for job '{job}'" : $"last run {runs[0][2]} min ago; pass = last run ok within 2 h",
        });

        var dashboard = (await rows($"SELECT countIf(revenue_today > 0 OR tickets_sold_today > 0), sum(tickets_sold_today), " +
                                     $"sum(revenue_today) FROM {db}.v_qtickets_sales_dashboard", ct).ConfigureAwait(false))[0];
        results.Add(Info("dashboard_today", Str(dashboard[0]), $"tickets {dashboard[1]}, revenue {dashboard[2]}"));
        var utm = (await rows($"SELECT count(), countIf(utm_source = ''), round(100 * countIf(utm_source = '') / greatest(count(), 1), 2) " +
                               $"FROM {db}.{OrdersStaging} FINAL WHERE sale_ts >= today() - 7", ct).ConfigureAwait(false))[0];
        results.Add(Info("utm_coverage", $"{utm[2]}% without utm_source", $"{utm[0]} orders in 7 days, {utm[1]} without utm_source"));
        var plan = (await rows($"SELECT count(), sum(plan_revenue), (SELECT sum(revenue) FROM {db}.{SalesDaily} FINAL " +
                                $"WHERE sales_date >= today() - 30) FROM {db}.{PlanSales} FINAL WHERE sales_date >= today() - 30", ct).ConfigureAwait(false))[0];
        results.Add(Info("plan_vs_fact", $"{plan[0]} plan rows", $"plan revenue {plan[1]}, fact revenue {plan[2]} (30 days)"));
        return results;
    }

    async Task<SmokeCheckResult> Count(string name, string sql, string detail, CancellationToken ct)
    {
        var n = Convert.ToUInt64(await scalar(sql, ct).ConfigureAwait(false), CultureInfo.InvariantCulture);
        return new SmokeCheckResult { Name = name, Passed = n == 0, Value = n.ToString(CultureInfo.InvariantCulture), Detail = detail };
    }

    /// <summary>Figures the legacy printed for a person to judge: selectable means passed.</summary>
    static SmokeCheckResult Info(string name, string value, string detail) => new() { Name = name, Passed = true, Value = value, Detail = detail };

    static string Str(object? o) => Convert.ToString(o, CultureInfo.InvariantCulture) ?? "";
}
