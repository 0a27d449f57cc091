using System.Globalization;
using QTickets.Module.Tests.Harness;
using QTickets.Tests.Shared;

namespace QTickets.Module.Tests.Reconcile;

/// <summary>
/// A sandbox (1500 orders over 20 days before its virtual now) loaded once by Invoke-QTicketsLoad into a fresh
/// database of the real ClickHouse: the starting point of every reconciliation test of one class.
/// </summary>
public sealed class ReconcileWorld : IDisposable
{
    public const string Now = "2026-11-20T12:00:00+03:00";

    public ReconcileWorld()
    {
        Server = SandboxProcess.Start("--seed", "11", "--orders", "1500", "--history-days", "20", "--now", Now);
        ClickHouse = new TestClickHouse();
        Dir = Directory.CreateTempSubdirectory("qt-reconcile-").FullName;
        EnvFile = Path.Combine(Dir, "qtickets.env");
        File.WriteAllText(EnvFile,
            $"QTICKETS_TOKEN={Server.Token}\nQTICKETS_BASE_URL={Server.BaseUrl}\n" +
            $"CLICKHOUSE_HOST={ClickHouse.Host}\nCLICKHOUSE_PORT={ClickHouse.Port}\nCLICKHOUSE_DB={ClickHouse.Database}\n" +
            $"CLICKHOUSE_USER={ClickHouse.AdminUser}\nCLICKHOUSE_PASSWORD={ClickHouse.AdminPassword}\n");
        File.SetUnixFileMode(EnvFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using var ps = new PowerShellSession();
        var load = ps.Run($"Initialize-QTicketsClickHouse -EnvFile '{EnvFile}' | Out-Null; " +
                          $"Invoke-QTicketsLoad -EnvFile '{EnvFile}' -Now '{Now}' -LockPath '{Path.Combine(Dir, "load.lock")}' -SkipInventory");
        if (load.Terminating is not null || load.Errors.Count > 0)
            throw new InvalidOperationException("The initial load failed: " + (load.Terminating?.Message ?? load.Errors[0].ToString()));
    }

    public SandboxProcess Server { get; }
    public TestClickHouse ClickHouse { get; }
    public string Dir { get; }
    public string EnvFile { get; }

    /// <summary>The Moscow day <paramref name="back"/> days before the sandbox's now.</summary>
    public static DateOnly DayBack(int back) => new DateOnly(2026, 11, 20).AddDays(-back);

    public static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public string Db => ClickHouse.Database;

    public void Dispose()
    {
        Server.Dispose();
        ClickHouse.Dispose();
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}
