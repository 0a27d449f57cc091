using System.Net.Sockets;
using System.Text.RegularExpressions;
using ClickHouse.Driver;
using ClickHouse.Driver.Copy;
using QTickets.Core.Contracts;

namespace QTickets.Engine.ClickHouse;

/// <summary>
/// Translates driver and server failures into <see cref="ClickHouseStoreException"/>s that say where (host and
/// port, user, table, column) and what to do. Server texts pass through <see cref="Scrub"/>, so the password can
/// never leak even if a server echoed it.
/// </summary>
internal sealed partial class ClickHouseErrors(string endpoint, string user, string password)
{
    public string Scrub(string text) => password.Length == 0 ? text : text.Replace(password, "***", StringComparison.Ordinal);

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
                $"Cannot reach ClickHouse at {endpoint}: {(refused ? "connection refused" : Scrub(http.Message))}. " +
                "Check that the ClickHouse server is running on that machine (e.g. systemctl status clickhouse-server) and that " +
                "CLICKHOUSE_HOST / CLICKHOUSE_PORT name its HTTP port (8123, or 8443 with CLICKHOUSE_SECURE=true), not the native port 9000.", ex);
        }
        var code = ServerCode(root);
        // Every error answer of ClickHouse reads "Code: N. DB::Exception: ..."; an error answer without that came from
        // something else on the port (a web server's page, the native port's "Port 9000 is for clickhouse-client").
        if (root is ClickHouseServerException && (code <= 0 || !root.Message.Contains("DB::Exception", StringComparison.Ordinal)))
            return NotClickHouse(root.Message, ex);
        var text = Scrub(FirstLine(root.Message));
        return code switch
        {
            516 or 192 or 194 => new(ClickHouseFailure.AuthenticationFailed,
                $"ClickHouse at {endpoint} rejected user '{user}': wrong password or no such user. " +
                "Check CLICKHOUSE_USER / CLICKHOUSE_PASSWORD (or -Credential).", ex, table, serverCode: code),
            164 => new(ClickHouseFailure.ReadOnlyUser,
                $"User '{user}' is read-only on {endpoint}{On(table)}: {text}. Write with the writer user " +
                "(CLICKHOUSE_USER, e.g. etl_writer), not the reader.", ex, table, serverCode: code),
            497 => new(ClickHouseFailure.AccessDenied,
                $"User '{user}' lacks a privilege on {endpoint}{On(table)}: {text}. Apply the grants " +
                "(Initialize-QTicketsClickHouse -Grants as an administrator) or use a user that has them.", ex, table, serverCode: code),
            60 => new(ClickHouseFailure.TableMissing,
                $"Table {table ?? TableIn(text) ?? "?"} does not exist on {endpoint}: {text}. Run Initialize-QTicketsClickHouse " +
                "(as an administrator) to create the schema, or check -Table and CLICKHOUSE_DB.", ex, table, serverCode: code),
            81 => new(ClickHouseFailure.DatabaseMissing,
                $"The database does not exist on {endpoint}: {text}. Run Initialize-QTicketsClickHouse to create it, or check CLICKHOUSE_DB.",
                ex, table, serverCode: code),
            16 or 47 => new(ClickHouseFailure.ColumnMissing,
                $"A column is missing{On(table)} on {endpoint}: {text}. Check -ColumnMap, or run Initialize-QTicketsClickHouse " +
                "to migrate the schema.", ex, table, ColumnIn(text, columns), code),
            6 or 27 or 53 or 70 or 72 or 321 => TypeMismatch(root, table, ColumnIn(text, columns), code),
            _ when root is OperationCanceledException => new(ClickHouseFailure.Cancelled, "The ClickHouse call was cancelled.", ex, table),
            _ => new(ClickHouseFailure.Server, $"ClickHouse at {endpoint} (user '{user}'){On(table)} failed: {text}", ex, table, serverCode: code),
        };
    }

    /// <summary>Something answered on the configured host and port, but not as ClickHouse does.</summary>
    public ClickHouseStoreException NotClickHouse(string answer, Exception? inner = null) =>
        new(ClickHouseFailure.NotClickHouse,
            $"{endpoint} is not a ClickHouse server: it answered with {Describe(answer)}. Check CLICKHOUSE_HOST and CLICKHOUSE_PORT: " +
            "they must name ClickHouse's HTTP interface (port 8123 by default, 8443 with CLICKHOUSE_SECURE=true; not the native " +
            "port 9000, not a web server or proxy page).", inner);

    /// <summary>A short, safe description of a foreign answer: an HTML page by its title, other text by its first words.</summary>
    string Describe(string answer)
    {
        var text = answer.Trim();
        if (text.Length == 0) return "an empty answer";
        if (text.Contains("<html", StringComparison.OrdinalIgnoreCase) || text.StartsWith("<!DOCTYPE", StringComparison.OrdinalIgnoreCase))
        {
            var title = TitlePattern().Match(text);
            return title.Success ? $"an HTML page titled '{Shorten(Scrub(title.Groups[1].Value.Trim()), 60)}'" : "an HTML page";
        }
        var words = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return $"'{Shorten(Scrub(QTickets.Core.Json.PersonalData.MaskText(words)), 120)}'";
    }

    static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 3)] + "...";

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

    [GeneratedRegex(@"<title[^>]*>([^<]*)</title>", RegexOptions.IgnoreCase)]
    private static partial Regex TitlePattern();
}
