namespace QTickets.Core.Contracts;

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
