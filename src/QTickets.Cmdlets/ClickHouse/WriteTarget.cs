using QTickets.Core.Configuration;

namespace QTickets.Cmdlets.ClickHouse;

/// <summary>
/// Where a write goes, in the words of every -WhatIf and -Confirm message: the server as host:port and the table as
/// database.table, taken from the configuration so that -WhatIf names them without connecting.
/// </summary>
internal static class WriteTarget
{
    public static string Server(QTicketsConfig config) => $"{config.ClickHouseHost}:{config.ClickHousePort}";

    public static string Table(QTicketsConfig config, string table) => $"{config.ClickHouseDatabase}.{table}";

    public static string Of(QTicketsConfig config, string table) => $"{Table(config, table)} on {Server(config)}";
}
