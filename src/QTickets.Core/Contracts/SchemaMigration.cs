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

    public override string ToString() => $"{Version:D3} {Name} ({(Applied ? "applied" : "pending")})";
}
