using System.Management.Automation;
using QTickets.Contracts;
using QTickets.Store;

namespace QTickets.Cmdlets;

/// <summary>
/// Creates the database and tables if missing and applies each pending schema migration once (recorded in
/// qtickets_schema_migrations, so it is safe to run every time). -WhatIf prints the DDL it would run. -Grants
/// also grants the writer and reader their privileges. Run it as an administrator (-Credential).
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
            var migrations = Await(Store.GetMigrationsAsync(options, StopToken));
            foreach (var migration in migrations)
            {
                if (migration.Applied)
                {
                    WriteVerbose($"Migration {migration.Version:D3} {migration.Name} already applied{(migration.AppliedAt is { } at ? $" at {at:u}" : "")}");
                    if (!IsWhatIf) WriteObject(migration);
                    continue;
                }
                var ddl = migration.Statements.Count == 0 ? "(nothing to run; recorded as applied)" : string.Join(";\n", migration.Statements) + ";";
                var description = $"Apply migration {migration.Version:D3} {migration.Name} to {Store.Endpoint}:\n{ddl}";
                if (!ShouldProcess(description, $"Apply migration {migration.Version:D3} {migration.Name}?", "Initialize-QTicketsClickHouse"))
                    continue;
                WriteObject(Await(Store.ApplyMigrationAsync(migration, options, StopToken)));
            }
            if (Grants) ApplyGrants();
        }
        catch (ClickHouseStoreException ex)
        {
            Fail(ex, Store.Database);
        }
    }

    void ApplyGrants()
    {
        var writer = WriterUser ?? (Credential is null ? LoadConfig(Configuration.ConfigNeeds.ClickHouse).ClickHouseUser : null)
            ?? throw new PSArgumentException("-Grants with -Credential needs -WriterUser: the credential is the administrator, not the loader.");
        var plan = new GrantPlan(writer, ReaderUser) { Roles = Roles };
        foreach (var statement in Store.GetGrantStatements(plan))
        {
            if (!ShouldProcess($"Grant on {Store.Endpoint}: {statement};", $"{statement}?", "Initialize-QTicketsClickHouse"))
                continue;
            try
            {
                Await(Store.ExecuteAsync(statement, StopToken));
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
