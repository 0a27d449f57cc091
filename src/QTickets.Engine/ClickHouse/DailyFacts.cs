using System.Globalization;
using static QTickets.Core.Contracts.KnownTables;

namespace QTickets.Engine.ClickHouse;

/// <summary>
/// The daily facts, recomputed from staging FINAL for whole days. The legacy aggregated only the current load's
/// window and let a ReplacingMergeTree replace the day's row with that partial sum; here every
/// touched day is summed over all its staged orders, so a two-hour window still yields the day's total and a
/// refunded order (re-staged with 0 tickets, 0 revenue) lowers it. Inserts run with insert_deduplicate = 0: an
/// identical recomputation after a different one must still win.
/// </summary>
public static class DailyFacts
{
    const string utm = "utm_source, utm_medium, utm_campaign, utm_content, utm_term";

    /// <summary>
    /// The two INSERT … SELECT statements for the days <paramref name="daysSql"/> yields, as migration 3 recomputes
    /// legacy facts: each fact key already present for those days also gets a zero row, so a key that lost all its
    /// orders reads 0 under FINAL (migration 6 then collapses the versions for plain readers).
    /// </summary>
    /// <param name="daysSql">A subquery or literal list of Date values.</param>
    /// <param name="versionSql">The _ver expression (epoch seconds: the health check reads toDateTime(max(_ver))).</param>
    public static string[] Statements(string db, string daysSql, string versionSql) =>
    [
        $"INSERT INTO {db}.{SalesDaily} (sales_date, event_id, city, tickets_sold, revenue, _ver) " +
        $"SELECT sales_date, event_id, city, toUInt32(sum(tickets)), toFloat64(sum(amount)), {versionSql} FROM (" +
        $"SELECT toDate(sale_ts) AS sales_date, event_id, toString(city) AS city, toUInt64(tickets_sold) AS tickets, " +
        $"toDecimal128(revenue, 2) AS amount FROM {db}.{OrdersStaging} FINAL WHERE toDate(sale_ts) IN ({daysSql}) " +
        $"UNION ALL SELECT sales_date, event_id, toString(city), toUInt64(0), toDecimal128(0, 2) FROM {db}.{SalesDaily} " +
        $"WHERE sales_date IN ({daysSql})) GROUP BY sales_date, event_id, city SETTINGS insert_deduplicate = 0",

        $"INSERT INTO {db}.{SalesUtmDaily} (sales_date, event_id, city, {utm}, tickets_sold, revenue, _ver) " +
        $"SELECT sales_date, event_id, city, {utm}, toUInt32(sum(tickets)), toFloat64(sum(amount)), {versionSql} FROM (" +
        $"SELECT toDate(sale_ts) AS sales_date, event_id, toString(city) AS city, toString(utm_source) AS utm_source, " +
        $"toString(utm_medium) AS utm_medium, utm_campaign, utm_content, utm_term, toUInt64(tickets_sold) AS tickets, " +
        $"toDecimal128(revenue, 2) AS amount FROM {db}.{OrdersStaging} FINAL WHERE toDate(sale_ts) IN ({daysSql}) " +
        $"UNION ALL SELECT sales_date, event_id, toString(city), toString(utm_source), toString(utm_medium), utm_campaign, " +
        $"utm_content, utm_term, toUInt64(0), toDecimal128(0, 2) FROM {db}.{SalesUtmDaily} WHERE sales_date IN ({daysSql})) " +
        $"GROUP BY sales_date, event_id, city, {utm} SETTINGS insert_deduplicate = 0",
    ];

    /// <summary>
    /// The days' facts as the scheduled load writes them: each table gets the days' sums from staging FINAL with
    /// <paramref name="version"/> (above every stored one), then every other row of those days is deleted. So right
    /// after a run a plain read, without FINAL (`SELECT sum(revenue) FROM fact_qtickets_sales_daily`, as people and
    /// the legacy runbook write it), holds one row per key and sums to the source, and a key that lost all its
    /// orders is gone. Inserting first means a run that dies between the two leaves FINAL readers right and the
    /// next run finishes the job; deleting first would leave the days empty instead.
    /// </summary>
    public static string[] ReplaceStatements(string db, string daysSql, ulong version)
    {
        var ver = version.ToString(CultureInfo.InvariantCulture);
        return new[]
        {
            $"INSERT INTO {db}.{SalesDaily} (sales_date, event_id, city, tickets_sold, revenue, _ver) " +
            $"SELECT toDate(sale_ts) AS sales_date, event_id, toString(city) AS city, toUInt32(sum(tickets_sold)), " +
            $"toFloat64(sum(toDecimal128(revenue, 2))), {ver}::UInt64 FROM {db}.{OrdersStaging} FINAL WHERE toDate(sale_ts) IN ({daysSql}) " +
            "GROUP BY sales_date, event_id, city SETTINGS insert_deduplicate = 0",
            $"DELETE FROM {db}.{SalesDaily} WHERE sales_date IN ({daysSql}) AND _ver < {ver}",

            $"INSERT INTO {db}.{SalesUtmDaily} (sales_date, event_id, city, {utm}, tickets_sold, revenue, _ver) " +
            $"SELECT toDate(sale_ts) AS sales_date, event_id, toString(city) AS city, toString(utm_source) AS utm_source, " +
            $"toString(utm_medium) AS utm_medium, utm_campaign, utm_content, utm_term, toUInt32(sum(tickets_sold)), " +
            $"toFloat64(sum(toDecimal128(revenue, 2))), {ver}::UInt64 FROM {db}.{OrdersStaging} FINAL WHERE toDate(sale_ts) IN ({daysSql}) " +
            $"GROUP BY sales_date, event_id, city, {utm} SETTINGS insert_deduplicate = 0",
            $"DELETE FROM {db}.{SalesUtmDaily} WHERE sales_date IN ({daysSql}) AND _ver < {ver}",
        };
    }

    /// <summary>Days as a SQL literal list; empty input is never passed (the caller skips it).</summary>
    public static string DayList(IEnumerable<DateOnly> days) =>
        string.Join(", ", days.Distinct().Order().Select(d => "toDate('" + d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "')"));
}
