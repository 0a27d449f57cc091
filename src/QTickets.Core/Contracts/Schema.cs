namespace QTickets.Core.Contracts;

/// <summary>
/// One versioned schema step. Initialize-QTicketsClickHouse emits these; <see cref="Applied"/> comes from the
/// qtickets_schema_migrations table, so each runs exactly once per database.
/// </summary>
public sealed class SchemaMigration
{
    public int Version { get; init; }
    public string Name { get; init; } = "";
    public string Description { get; init; } = "";
    /// <summary>The DDL as it will run (database and cluster substituted).</summary>
    public IReadOnlyList<string> Statements { get; init; } = Array.Empty<string>();
    public bool Applied { get; init; }
    /// <summary>When it was recorded; null while pending.</summary>
    public DateTime? AppliedAt { get; init; }
    /// <summary>What applying did ("applied", "nothing to migrate", "already applied").</summary>
    public string Outcome { get; init; } = "";

    /// <summary>This migration as applied (at <paramref name="at"/>), with what applying did.</summary>
    public SchemaMigration AsApplied(DateTime? at, string outcome) => new()
    {
        Version = Version, Name = Name, Description = Description, Statements = Statements, Applied = true, AppliedAt = at, Outcome = outcome,
    };

    public override string ToString() => $"{Version:D3} {Name} ({(Applied ? "applied" : "pending")})";
}

/// <summary>
/// A table or view the schema's migrations create, with the statement that creates it as it stands now (the
/// last one for that name in the migrations). Initialize-QTicketsClickHouse recreates one from it when the
/// migration is recorded as applied but the object does not exist (dropped by hand, or lost with its disk).
/// </summary>
/// <param name="Kind">"table" or "view".</param>
/// <param name="Migration">The version of the migration whose statement creates it.</param>
public sealed record SchemaObject(string Name, string Kind, int Migration, string Statement);

/// <summary>How DDL is generated: for one server, or ON CLUSTER with Replicated engines.</summary>
public sealed record SchemaOptions
{
    /// <summary>Cluster name for ON CLUSTER DDL and Replicated* engines; null for a single server.</summary>
    public string? Cluster { get; init; }

    /// <summary>ZooKeeper path prefix of the Replicated tables (macros expanded by each server).</summary>
    public string ReplicaPath { get; init; } = "/clickhouse/tables/{shard}/{database}/{table}";

    public static SchemaOptions Single { get; } = new();
}

/// <summary>
/// Who gets which privileges. The writer inserts, and reads only what the loader needs to recompute facts and
/// resume (staging orders without payload_json, the fact keys, its state, the schema version, its own job runs);
/// it can neither read facts' numbers, dimensions and views nor alter or drop anything. The reader selects only.
/// </summary>
public sealed record GrantPlan(string WriterUser, string ReaderUser)
{
    /// <summary>Grant to roles (GRANT ... TO role) instead of users: the names are role names.</summary>
    public bool Roles { get; init; }
}

/// <summary>
/// A legacy view that also reads another integration's tables: created (or replaced) by Initialize-QTicketsClickHouse
/// when they exist, otherwise skipped, with <see cref="Reason"/> naming what is missing.
/// </summary>
public sealed record OptionalViewOutcome(string Name, bool Created, string Reason);
