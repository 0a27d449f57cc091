using System.Data.Common;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using ClickHouse.Driver;
using ClickHouse.Driver.Copy;
using QTickets.Contracts;

namespace QTickets.Engine.Storage;

/// <summary>
/// Translates driver and server failures into <see cref="ClickHouseStoreException"/>s that say where (host and
/// port, user, table, column) and what to do. Server texts pass through <see cref="Scrub"/>, so the password can
/// never leak even if a server echoed it.
/// </summary>
internal sealed partial class ClickHouseErrors
{
    readonly string _endpoint;
    readonly string _user;
    readonly string _password;

    public ClickHouseErrors(string endpoint, string user, string password)
    {
        _endpoint = endpoint;
        _user = user;
        _password = password;
    }

    public string Scrub(string text) => _password.Length == 0 ? text : text.Replace(_password, "***", StringComparison.Ordinal);

    /// <summary>True for failures a retry of the same batch can cure: the connection, not the request.</summary>
    public static bool IsTransient(Exception ex) =>
        ex is HttpRequestException or IOException or SocketException ||
        (ex is TaskCanceledException { InnerException: TimeoutException });

    public static int ServerCode(Exception ex)
    {
        if (ex is ClickHouseServerException s && s.ErrorCode != 0) return s.ErrorCode;
        var m = CodePattern().Match(ex.Message);
        return m.Success ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    public ClickHouseStoreException Translate(Exception ex, string? table = null, IReadOnlyList<string>? columns = null)
    {
        if (ex is ClickHouseStoreException known) return known;
        var root = ex;
        while (root is AggregateException { InnerException: { } inner }) root = inner;
        if (root is ClickHouseBulkCopySerializationException or InvalidCastException or FormatException or OverflowException)
            return TypeMismatch(root, table, null, null);
        if (root is HttpRequestException http)
        {
            var refused = http.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused } ||
                          http.HttpRequestError == HttpRequestError.ConnectionError;
            return new ClickHouseStoreException(ClickHouseFailure.Unreachable,
                $"Cannot reach ClickHouse at {_endpoint}: {(refused ? "connection refused" : Scrub(http.Message))}. " +
                "Check that the server runs and CLICKHOUSE_HOST / CLICKHOUSE_PORT point at its HTTP port " +
                "(locally: build/clickhouse.sh start).", ex);
        }
        var code = ServerCode(root);
        var text = Scrub(FirstLine(root.Message));
        return code switch
        {
            516 or 192 or 194 => new(ClickHouseFailure.AuthenticationFailed,
                $"ClickHouse at {_endpoint} rejected user '{_user}': wrong password or no such user. " +
                "Check CLICKHOUSE_USER / CLICKHOUSE_PASSWORD (or -Credential).", ex, table, serverCode: code),
            164 => new(ClickHouseFailure.ReadOnlyUser,
                $"User '{_user}' is read-only on {_endpoint}{On(table)}: {text}. Write with the writer user " +
                "(CLICKHOUSE_USER, e.g. etl_writer), not the reader.", ex, table, serverCode: code),
            497 => new(ClickHouseFailure.AccessDenied,
                $"User '{_user}' lacks a privilege on {_endpoint}{On(table)}: {text}. Apply the grants " +
                "(Initialize-QTicketsClickHouse -Grants as an administrator) or use a user that has them.", ex, table, serverCode: code),
            60 => new(ClickHouseFailure.TableMissing,
                $"Table {table ?? TableIn(text) ?? "?"} does not exist on {_endpoint}: {text}. Run Initialize-QTicketsClickHouse " +
                "(as an administrator) to create the schema, or check -Table and CLICKHOUSE_DB.", ex, table, serverCode: code),
            81 => new(ClickHouseFailure.DatabaseMissing,
                $"The database does not exist on {_endpoint}: {text}. Run Initialize-QTicketsClickHouse to create it, or check CLICKHOUSE_DB.",
                ex, table, serverCode: code),
            16 or 47 => new(ClickHouseFailure.ColumnMissing,
                $"A column is missing{On(table)} on {_endpoint}: {text}. Check -ColumnMap, or run Initialize-QTicketsClickHouse " +
                "to migrate the schema.", ex, table, ColumnIn(text, columns), code),
            6 or 27 or 53 or 70 or 72 or 321 => TypeMismatch(root, table, ColumnIn(text, columns), code),
            _ when root is OperationCanceledException => new(ClickHouseFailure.Cancelled, "The ClickHouse call was cancelled.", ex, table),
            _ => new(ClickHouseFailure.Server, $"ClickHouse at {_endpoint} (user '{_user}'){On(table)} failed: {text}", ex, table, serverCode: code),
        };
    }

    public ClickHouseStoreException TypeMismatch(Exception ex, string? table, string? column, int? code, string? detail = null) =>
        new(ClickHouseFailure.TypeMismatch,
            $"A value does not fit {(column is null ? "its column" : $"column '{column}'")}{On(table)}: {detail ?? Scrub(FirstLine(ex.Message))}. " +
            "Convert the property to the column's type (see DESCRIBE TABLE) or map another property with -ColumnMap.",
            ex, table, column, code ?? 0);

    static string On(string? table) => table is null ? "" : $" (table {table})";

    static string FirstLine(string text)
    {
        var i = text.IndexOf('\n');
        return (i < 0 ? text : text[..i]).Trim();
    }

    static string? TableIn(string text)
    {
        var m = TablePattern().Match(text);
        return m.Success ? m.Groups[1].Value : null;
    }

    static string? ColumnIn(string text, IReadOnlyList<string>? columns) =>
        columns?.FirstOrDefault(c => text.Contains($"'{c}'", StringComparison.Ordinal) || text.Contains($"`{c}`", StringComparison.Ordinal)
                                     || text.Contains($"column {c}", StringComparison.Ordinal) || text.Contains($"({c})", StringComparison.Ordinal));

    [GeneratedRegex(@"Code: (\d+)")]
    private static partial Regex CodePattern();

    [GeneratedRegex(@"Table ([\w.`]+) does not exist")]
    private static partial Regex TablePattern();
}
