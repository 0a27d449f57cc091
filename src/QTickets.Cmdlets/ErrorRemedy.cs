using System.Management.Automation;
using QTickets.Core.Configuration;
using QTickets.Core.Contracts;
using QTickets.Core.Load;

namespace QTickets.Cmdlets;

/// <summary>
/// What to do about an error, for <c>ErrorDetails.RecommendedAction</c>: scripts and monitoring read the fix there
/// without parsing the message (which names the particulars: host, user, variable, id). Chosen by what failed (the
/// exception), then by the error id for failures that are outcomes rather than exceptions (an unhealthy check, a
/// failed smoke check), then by the category, so no record the module writes goes without one.
/// </summary>
internal static class ErrorRemedy
{
    /// <summary>Sets the record's RecommendedAction unless it names one already; returns the record.</summary>
    public static ErrorRecord Attach(ErrorRecord record, InvocationInfo? invocation)
    {
        if (!string.IsNullOrWhiteSpace(record.ErrorDetails?.RecommendedAction)) return record;
        record.ErrorDetails ??= new ErrorDetails(record.Exception?.Message ?? "");
        record.ErrorDetails.RecommendedAction = For(record, invocation?.MyCommand?.Name ?? "about_QTickets");
        return record;
    }

    public static string For(ErrorRecord record, string command)
    {
        var id = record.FullyQualifiedErrorId.Split(',')[0];
        return ByException(record.Exception) ?? ById(id) ?? ByCategory(record.CategoryInfo.Category, command);
    }

    static string? ByException(Exception? ex) => ex switch
    {
        EnvFileNotFoundException =>
            "Give -EnvFile the path of an existing env file (NAME=value lines, chmod 600), or leave -EnvFile out to read the environment.",
        ConfigurationException =>
            "Correct the setting the message names, in the env file given with -EnvFile, in the environment or as a parameter; " +
            "Get-QTicketsConfig -Source shows where each value comes from.",
        QTicketsAuthenticationException =>
            $"Check QTICKETS_TOKEN: copy the REST token again from {TokenSource.CabinetLocation} into the env file, or pass -Token.",
        QTicketsNotFoundException =>
            "Check the id: Get-QTicketsEvent lists the events and Get-QTicketsOrder the orders this token can read.",
        QTicketsUnavailableException =>
            "Try again later: the QTickets API did not answer in time (a scheduled load re-reads the same window). If it " +
            "persists, run Test-QTicketsEndpoint and send its report (Save-QTicketsEndpointReport) to QTickets support.",
        QTicketsApiException =>
            "Check QTICKETS_BASE_URL (Get-QTicketsConfig); if it is right, run Test-QTicketsEndpoint and send its report to QTickets support.",
        ClickHouseStoreException ch => ch.Failure switch
        {
            ClickHouseFailure.Unreachable =>
                "Start ClickHouse, or correct CLICKHOUSE_HOST and CLICKHOUSE_PORT (CLICKHOUSE_SECURE=true for TLS); Test-QTicketsClickHouse checks the connection.",
            ClickHouseFailure.AuthenticationFailed =>
                "Correct CLICKHOUSE_USER and CLICKHOUSE_PASSWORD in the env file; Test-QTicketsClickHouse checks them.",
            ClickHouseFailure.ReadOnlyUser or ClickHouseFailure.AccessDenied =>
                "Run Initialize-QTicketsClickHouse -Grants as a ClickHouse administrator, or use a user that has the privileges the message names.",
            ClickHouseFailure.TableMissing or ClickHouseFailure.ColumnMissing or ClickHouseFailure.TypeMismatch or ClickHouseFailure.DatabaseMissing =>
                "Run Initialize-QTicketsClickHouse as a ClickHouse user allowed to create tables: it creates or updates the schema (safe to repeat).",
            ClickHouseFailure.NotClickHouse =>
                "Set CLICKHOUSE_PORT to ClickHouse's HTTP port (8123, or 8443 with CLICKHOUSE_SECURE=true), not another service's.",
            ClickHouseFailure.Cancelled => "Nothing to fix: the command was stopped; run it again.",
            _ => "Read ClickHouse's message above; Test-QTicketsClickHouse checks the connection, the privileges and the schema.",
        },
        RunLockedException => "Nothing to fix: another run is active; the next scheduled run continues where it ends.",
        RunLockFailedException => "Make the lock file's folder exist and be writable by this account, or give -LockPath.",
        LegacyLoaderException =>
            "Stop the legacy Python loader: systemctl disable --now qtickets_api.timer (or remove its cron entry).",
        OperationCanceledException or PipelineStoppedException => "Nothing to fix: the command was stopped; run it again.",
        _ => null,
    };

    static string? ById(string id) => id switch
    {
        "QTickets.Freshness.Unhealthy" =>
            "Look at the last runs (meta_job_runs) and the scheduled load's log; run the loader once by hand to see its error line.",
        "QTickets.ClickHouse.SmokeCheckFailed" =>
            "Run Initialize-QTicketsClickHouse as an administrator (schema and -Grants), then Test-QTicketsClickHouse again.",
        "QTickets.ClickHouse.GrantsNeedUsersXml" =>
            "Put the statements -Grants -WhatIf prints under <grants> of each user in users.xml, or create the users with SQL.",
        "QTickets.Webhook.ListenFailed" =>
            "Choose a free port (-Port or QTICKETS_WEBHOOK_PORT) or stop what listens there; ports below 1024 need root.",
        "QTickets.Reconcile.BadRange" => "Give -From a day on or before -To (yyyy-MM-dd), or -Days N alone.",
        _ when id.StartsWith("QTickets.Reconcile.", StringComparison.Ordinal) =>
            "Repair the days that differ: Compare-QTicketsClickHouse with -Repair (or Invoke-QTicketsReconcile.ps1 -Repair).",
        _ when id.StartsWith("QTickets.SalesRow.", StringComparison.Ordinal) =>
            "Pass whole API answers (Get-QTicketsOrder, or a saved JSON file read with Get-Content -Raw); the message names the order and field.",
        _ when id.StartsWith("QTickets.SupportCsv.", StringComparison.Ordinal) =>
            "Check the path is writable; to search by e-mail, read the orders with -IncludePersonalData.",
        _ when id.StartsWith("QTickets.Diagnostics.", StringComparison.Ordinal) =>
            "Check the step ids (tab completion lists them) and that the report folder is writable.",
        _ => null,
    };

    static string ByCategory(ErrorCategory category, string command) => category switch
    {
        ErrorCategory.InvalidArgument or ErrorCategory.InvalidType =>
            $"Correct the value the message names; Get-Help {command} -Parameter * describes each parameter.",
        ErrorCategory.ObjectNotFound => "Check the name, id or path the message names.",
        ErrorCategory.WriteError or ErrorCategory.PermissionDenied => "Check that the path exists and that this account may write there.",
        _ => $"Read the message above; Get-Help {command} -Full and Get-Help about_QTickets_Troubleshooting explain what to check.",
    };
}
