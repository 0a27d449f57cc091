namespace QTickets.Core.Contracts;

/// <summary>How DDL is generated: for one server, or ON CLUSTER with Replicated engines.</summary>
public sealed record SchemaOptions
{
    /// <summary>Cluster name for ON CLUSTER DDL and Replicated* engines; null for a single server.</summary>
    public string? Cluster { get; init; }

    /// <summary>ZooKeeper path prefix of the Replicated tables (macros expanded by each server).</summary>
    public string ReplicaPath { get; init; } = "/clickhouse/tables/{shard}/{database}/{table}";

    public static SchemaOptions Single { get; } = new();
}
