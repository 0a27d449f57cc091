using System.Management.Automation;
using QTickets.Core.Contracts;

namespace QTickets.Cmdlets.ClickHouse;

/// <summary>
/// Creates the database and tables if missing and applies each pending schema migration once (recorded in
/// qtickets_schema_migrations, so it is safe to run every time). The ledger alone is not trusted: every table and
/// view that an applied migration created and that no longer exists is recreated first, with its current
/// definition, and named in a warning and in its migration's Outcome. -WhatIf prints the DDL it would run.
/// -Grants also grants the writer and reader their privileges. Run it as an administrator (-Credential).
/// The data of a recreated table comes back with the next load (see <see cref="QTickets.Core.Load.QTicketsLoader"/>).
/// </summary>
[Cmdlet(VerbsData.Initialize, "QTicketsClickHouse", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(SchemaMigration))]
public sealed class InitializeQTicketsClickHouseCommand : ClickHouseCmdlet
{
    /// <summary>Emit ON CLUSTER DDL with Replicated engines for this cluster.</summary>
    [Parameter] [ValidateNotNullOrEmpty] public string? Cluster { get; set; }

    /// <summary>Also apply the GRANT statements (writer inserts, reader selects).</summary>
    [Parameter] public SwitchParameter Grants { get; set; }

    /// <summary>The loader's user (default: the configured CLICKHOUSE_USER, unless -Credential names the administrator).</summary>
    [Parameter] [ValidateNotNullOrEmpty] public string? WriterUser { get; set; }

    /// <summary>The dashboards' user (legacy: datalens_reader).</summary>
    [Parameter] [ValidateNotNullOrEmpty] public string ReaderUser { get; set; } = "datalens_reader";

    /// <summary>-WriterUser and -ReaderUser are roles (GRANT ... TO role): grant the roles to users yourself.</summary>
    [Parameter] public SwitchParameter Roles { get; set; }

    protected override void EndProcessing()
    {
        var options = new SchemaOptions { Cluster = Cluster };
        try
        {
            var migrations = Run(Store, (store, ct) => store.GetMigrationsAsync(options, ct));
            // Before the pending migrations: one of them may alter a table that has to exist again first.
            var recreated = RecreateMissing(migrations.Where(m => m.Applied));
            var applied = false;
            foreach (var migration in migrations)
            {
                if (migration.Applied)
                {
                    WriteVerbose($"Migration {migration.Version:D3} {migration.Name} already applied{(migration.AppliedAt is { } at ? $" at {at:u}" : "")}");
                    if (!IsWhatIf)
                        WriteObject(recreated.TryGetValue(migration.Version, out var names)
                            ? migration.AsApplied(migration.AppliedAt, $"{migration.Outcome}; recreated {string.Join(", ", names)}")
                            : migration);
                    continue;
                }
                var ddl = migration.Statements.Count == 0 ? "(nothing to run; recorded as applied)" : string.Join(";\n", migration.Statements) + ";";
                var description = $"Apply migration {migration.Version:D3} {migration.Name} to {Store.Endpoint}:\n{ddl}";
                if (!ShouldProcess(description, $"Apply migration {migration.Version:D3} {migration.Name}?", "Initialize-QTicketsClickHouse"))
                    continue;
                WriteObject(Run(Store, (store, ct) => store.ApplyMigrationAsync(migration, options, ct)));
                applied = true;
            }
            if (!IsWhatIf) EnsureOptionalViews(applied);
            if (Grants) ApplyGrants();
        }
        catch (ClickHouseStoreException ex)
        {
            Fail(ex, Store.Database);
        }
    }

    /// <summary>
    /// The legacy views that also read other integrations' tables (VK Ads, Yandex Direct): created on every run
    /// where those tables exist, so installing the integration later and running Initialize again brings them. What
    /// is skipped is a warning on the run that applied migrations (an install or an upgrade), where a person reads
    /// it; on a run with nothing to apply it is verbose, so a database without those integrations stays quiet.
    /// </summary>
    void EnsureOptionalViews(bool warn)
    {
        foreach (var view in Run(Store, (store, ct) => store.EnsureOptionalViewsAsync(ct)))
        {
            var text = view.Created
                ? $"View {view.Name} created ({view.Reason})."
                : $"View {view.Name} not created: {view.Reason}. It reads the marketing tables of the VK Ads and Yandex Direct " +
                  "integrations; run Initialize-QTicketsClickHouse again once they exist. Dashboards over it (ds_romi_daily) fail until then.";
            if (!view.Created && warn) WriteWarning(text);
            else WriteVerbose(text);
        }
    }

    /// <summary>Recreates each missing object of the applied migrations (ShouldProcess each); returns the names per migration.</summary>
    Dictionary<int, List<string>> RecreateMissing(IEnumerable<SchemaMigration> applied)
    {
        var recreated = new Dictionary<int, List<string>>();
        foreach (var missing in Run(Store, (store, ct) => store.GetMissingObjectsAsync(applied, ct)))
        {
            var what = $"{missing.Kind} {Store.Database}.{missing.Name}";
            if (!ShouldProcess($"Recreate the missing {what} on {Store.Endpoint} (migration {missing.Migration:D3} is recorded as applied, " +
                               $"but the {missing.Kind} does not exist):\n{missing.Statement};",
                    $"Recreate the missing {what}?", "Initialize-QTicketsClickHouse"))
                continue;
            Run(Store, (store, ct) => store.ExecuteAsync(missing.Statement, ct));
            WriteWarning($"The {what} did not exist although migration {missing.Migration:D3} is recorded as applied: recreated with its " +
                         $"current definition.{AfterRecreate(missing.Name)}");
            (recreated.TryGetValue(missing.Migration, out var names) ? names : recreated[missing.Migration] = new()).Add(missing.Name);
        }
        return recreated;
    }

    /// <summary>What brings the recreated table's rows back (the loader's rules; README and help say the same).</summary>
    static string AfterRecreate(string table) => table switch
    {
        KnownTables.OrdersStaging =>
            " It is empty: the next load finds it so and reloads like a first run (the initial backfill), then rebuilds the facts of every day it holds.",
        KnownTables.SalesDaily or KnownTables.SalesUtmDaily =>
            " The next load recomputes the facts of every day that has orders in staging and no facts.",
        KnownTables.LoaderState =>
            " The watermark went with it: the next load is a first run (the initial backfill).",
        KnownTables.Events or KnownTables.InventoryLatest or KnownTables.InventoryStaging =>
            " The next load writes the events and a new inventory snapshot of the events on sale.",
        _ => "",
    };

    void ApplyGrants()
    {
        var writer = WriterUser ?? (Credential is null ? LoadConfig(QTickets.Core.Configuration.ConfigNeeds.ClickHouse).ClickHouseUser : null)
            ?? throw new PSArgumentException("-Grants with -Credential needs -WriterUser: the credential is the administrator, not the loader.");
        var plan = new GrantPlan(writer, ReaderUser) { Roles = Roles };
        foreach (var statement in Store.GetGrantStatements(plan))
        {
            if (!ShouldProcess($"Grant on {Store.Endpoint}: {statement};", $"{statement}?", "Initialize-QTicketsClickHouse"))
                continue;
            try
            {
                Run(Store, (store, ct) => store.ExecuteAsync(statement, ct));
            }
            catch (ClickHouseStoreException ex) when (ex.ServerCode is 495 or 514)
            {
                // users.xml users cannot be altered by SQL: say what to put there instead.
                ThrowTerminatingError(new ErrorRecord(
                    new InvalidOperationException(
                        $"{Store.Endpoint} cannot change these users' privileges by SQL (their access storage is read-only: users.xml). " +
                        "Put the statements that -Grants -WhatIf prints, without their 'TO user' part, under <grants><query> of each user " +
                        "in users.xml, or create the users with SQL (CREATE USER) on a server with access management.", ex),
                    "QTickets.ClickHouse.GrantsNeedUsersXml", ErrorCategory.PermissionDenied, statement));
            }
        }
    }
}
