namespace QTickets.Core.Contracts;

/// <summary>Why a ClickHouse call failed, so each maps to its own error id and category.</summary>
public enum ClickHouseFailure
{
    Unreachable,
    AuthenticationFailed,
    ReadOnlyUser,
    AccessDenied,
    TableMissing,
    ColumnMissing,
    TypeMismatch,
    DatabaseMissing,
    Cancelled,
    Server,
    /// <summary>Something answered on the host and port, but not ClickHouse: a configuration mistake.</summary>
    NotClickHouse,
}

/// <summary>
/// A ClickHouse failure translated for people: the message names the host and port, the user, the table or
/// column, and says how to fix it. It never contains the password (the tests scan for it).
/// </summary>
public sealed class ClickHouseStoreException(ClickHouseFailure failure, string message, Exception? inner = null,
    string? table = null, string? column = null, int serverCode = 0) : Exception(message, inner)
{
    public ClickHouseFailure Failure { get; } = failure;
    public string? Table { get; } = table;
    public string? Column { get; } = column;
    /// <summary>ClickHouse's error code (e.g. 60 UNKNOWN_TABLE), 0 when the server never answered.</summary>
    public int ServerCode { get; } = serverCode;
}
