using System.Net.Http.Headers;
using System.Text;

namespace QTickets.Tests.Shared;

/// <summary>
/// The real ClickHouse of the test command (./build.sh test starts it and exports QTICKETS_TEST_CLICKHOUSE_ENV;
/// otherwise &lt;repo&gt;/out/clickhouse/clickhouse.env of build/clickhouse.sh). Each instance owns a fresh database
/// qt_test_&lt;guid8&gt;, created with the administrator and dropped on Dispose, so test classes never see each
/// other's rows. Use it as an xunit class fixture. No server means a failure that says how to start one: these
/// tests are never skipped.
/// </summary>
public sealed class TestClickHouse : IDisposable
{
    static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromMinutes(5) };

    public TestClickHouse()
    {
        EnvFile = Environment.GetEnvironmentVariable("QTICKETS_TEST_CLICKHOUSE_ENV") is { Length: > 0 } fromEnv
            ? fromEnv
            : Path.Combine(Fixtures.RepoRoot, "out", "clickhouse", "clickhouse.env");
        if (!File.Exists(EnvFile))
            throw new InvalidOperationException($"No ClickHouse env file at {EnvFile}. Run the tests with './build.sh test', " +
                                                "or start the server first: build/clickhouse.sh start.");
        Values = File.ReadAllLines(EnvFile)
            .Where(l => l.Length > 0 && !l.StartsWith('#') && l.Contains('='))
            .Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0].Trim(), p => p[1].Trim());
        Host = Values.GetValueOrDefault("CLICKHOUSE_HOST", "127.0.0.1");
        Port = int.Parse(Values.GetValueOrDefault("CLICKHOUSE_PORT", "18123"), System.Globalization.CultureInfo.InvariantCulture);
        Database = "qt_test_" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            Admin($"CREATE DATABASE {Database}");
        }
        catch (HttpRequestException ex)
        {
            throw new InvalidOperationException($"No ClickHouse answers at http://{Host}:{Port} ({ex.Message}). Run the tests with " +
                                                "'./build.sh test', or start the server first: build/clickhouse.sh start.", ex);
        }
    }

    public string EnvFile { get; }
    public IReadOnlyDictionary<string, string> Values { get; }
    public string Host { get; }
    public int Port { get; }
    public string Database { get; }

    public string AdminUser => Values["QTICKETS_CH_ADMIN_USER"];
    public string AdminPassword => Values["QTICKETS_CH_ADMIN_PASSWORD"];
    public string WriterUser => Values["CLICKHOUSE_USER"];
    public string WriterPassword => Values["CLICKHOUSE_PASSWORD"];
    public string ReaderUser => Values["QTICKETS_CH_READER_USER"];
    public string ReaderPassword => Values["QTICKETS_CH_READER_PASSWORD"];

    public string Url => $"http://{Host}:{Port}";

    /// <summary>Runs SQL as the administrator; returns the body (TSV) trimmed.</summary>
    public string Admin(string sql) => Query(sql, AdminUser, AdminPassword);

    /// <summary>One scalar of an administrator query, e.g. count().</summary>
    public long Count(string sql) => long.Parse(Admin(sql), System.Globalization.CultureInfo.InvariantCulture);

    public string Query(string sql, string user, string password, int? port = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://{Host}:{port ?? Port}/")
        {
            Content = new StringContent(sql, Encoding.UTF8, "text/plain"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        using var response = s_http.Send(request);
        var body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"ClickHouse {(int)response.StatusCode} for [{sql[..Math.Min(sql.Length, 200)]}]: {body}");
        return body.TrimEnd('\n');
    }

    public void Dispose()
    {
        try { Admin($"DROP DATABASE IF EXISTS {Database} SYNC"); }
        catch (Exception) { /* the server may be gone already; the test outcome is what matters */ }
        RemoveLockFiles(Database);
    }

    /// <summary>
    /// Removes the loader's lock files for a test database (qtickets-…-&lt;database&gt;….lock and its .holder) from the
    /// temp folder of this process, where every run a test started put them. A real lock file stays after its run on
    /// purpose (deleting it while another run waits on it would let two runs in); a test's database is gone, and so
    /// is any use of its lock.
    /// </summary>
    public static void RemoveLockFiles(string database)
    {
        foreach (var dir in new[] { Path.GetTempPath(), Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") })
        {
            if (string.IsNullOrEmpty(dir) || !Directory.Exists(dir)) continue;
            foreach (var file in Directory.EnumerateFiles(dir, $"qtickets-*{database}*"))
                if (file.EndsWith(".lock", StringComparison.Ordinal) || file.EndsWith(".lock.holder", StringComparison.Ordinal))
                    try { File.Delete(file); } catch (IOException) { /* still held by a run being killed; the run's own test fails first */ }
        }
    }
}
