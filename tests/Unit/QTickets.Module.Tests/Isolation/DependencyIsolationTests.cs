using System.Reflection;
using QTickets.Module.Tests.Harness;
using QTickets.Tests.Shared;

namespace QTickets.Module.Tests.Isolation;

/// <summary>
/// The module beside another module that already loaded older versions of our dependencies: Polly 7.2.4
/// (assembly 7.0.0.0) and Microsoft.Extensions.Logging.Abstractions 8.0.0 (8.0.0.0, which ClickHouse.Driver also
/// uses in 10.0.0.0) are loaded into the default context first, then the module imports and runs a pipeline that
/// reads the API (Polly.Core retries) and writes ClickHouse (ClickHouse.Driver). Run in a fresh pwsh
/// process so nothing else has loaded anything first.
/// </summary>
public sealed class DependencyIsolationTests : IDisposable
{
    readonly TestClickHouse _ch = new();
    readonly SandboxProcess _sandbox = SandboxProcess.Start("--seed", "9", "--orders", "200");

    public void Dispose()
    {
        _sandbox.Dispose();
        _ch.Dispose();
    }

    static string PackageRoot => typeof(DependencyIsolationTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "NuGetPackageRoot").Value!;

    static string CachedDll(string package, string version, string dll)
    {
        var lib = Path.Combine(PackageRoot, package.ToLowerInvariant(), version, "lib");
        // The netstandard2.0 build: the one a module targeting both Windows PowerShell and pwsh would ship.
        var path = Path.Combine(lib, "netstandard2.0", dll);
        Assert.True(File.Exists(path), $"{path} is missing: restore tests/Unit/QTickets.Module.Tests (PackageDownload).");
        return path;
    }

    [Fact]
    public void The_module_works_after_older_Polly_and_logging_abstractions_were_loaded_first()
    {
        _ch.Admin($"CREATE TABLE {_ch.Database}.isolation (id UInt64, name String) ENGINE = MergeTree ORDER BY id");
        const string script = """
            $first = @([System.Reflection.Assembly]::LoadFrom($env:OLD_POLLY), [System.Reflection.Assembly]::LoadFrom($env:OLD_LOGGING))
            foreach ($a in $first) { "first|$($a.GetName().Name)|$($a.GetName().Version)" }
            # Something that uses the old Polly, the way the other module would: a v7 policy, executed.
            $policy = [Polly.RetrySyntax]::Retry([Polly.Policy]::Handle[System.Exception](), 2)
            $tries = [System.Collections.Generic.List[int]]::new()
            $policy.Execute([Action] { $tries.Add(1); if ($tries.Count -lt 2) { throw [System.TimeoutException]::new() } })
            "oldpolly|$($policy.GetType().Assembly.GetName().Version)|tries $($tries.Count)"

            Import-Module QTickets -ErrorAction Stop
            $orders = @(Get-QTicketsOrder -Token $env:SANDBOX_TOKEN -BaseUrl $env:SANDBOX_URL -Since '2026-09-01T00:00:00+03:00' -Until '2026-11-21T00:00:00+03:00' -ErrorAction Stop)
            "orders|$($orders.Count)"
            $written = Get-QTicketsEvent -Token $env:SANDBOX_TOKEN -BaseUrl $env:SANDBOX_URL -ErrorAction Stop |
                Write-QTicketsClickHouse -Table isolation -ColumnMap @{ id = 'Id'; name = 'Name' } -PassThru -ErrorAction Stop
            "written|$($written.Rows)"
            foreach ($a in [System.AppDomain]::CurrentDomain.GetAssemblies()) {
                $n = $a.GetName()
                if ($n.Name -in 'Polly', 'Polly.Core', 'Microsoft.Extensions.Logging.Abstractions', 'ClickHouse.Driver', 'QTickets.Engine', 'QTickets.Cmdlets') {
                    "loaded|$($n.Name)|$($n.Version)|$([System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($a).Name)"
                }
            }
            """;
        var r = ScriptRunner.Run(new[] { "-Command", script }, new Dictionary<string, string>
        {
            ["OLD_POLLY"] = CachedDll("Polly", "7.2.4", "Polly.dll"),
            ["OLD_LOGGING"] = CachedDll("Microsoft.Extensions.Logging.Abstractions", "8.0.0", "Microsoft.Extensions.Logging.Abstractions.dll"),
            ["SANDBOX_URL"] = _sandbox.BaseUrl,
            ["SANDBOX_TOKEN"] = _sandbox.Token,
            ["CLICKHOUSE_HOST"] = _ch.Host,
            ["CLICKHOUSE_PORT"] = _ch.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["CLICKHOUSE_DB"] = _ch.Database,
            ["CLICKHOUSE_USER"] = _ch.AdminUser,
            ["CLICKHOUSE_PASSWORD"] = _ch.AdminPassword,
        });

        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains("first|Polly|7.0.0.0", lines);
        Assert.Contains("first|Microsoft.Extensions.Logging.Abstractions|8.0.0.0", lines);
        Assert.Contains("oldpolly|7.0.0.0|tries 2", lines);
        var orders = int.Parse(lines.Single(l => l.StartsWith("orders|", StringComparison.Ordinal))[7..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(orders > 0, r.ToString());
        var events = _ch.Count($"SELECT count() FROM {_ch.Database}.isolation");
        Assert.True(events > 0);
        Assert.Contains($"written|{events}", lines);

        // Side by side: the other module's versions in the default context, ours in the module's own.
        Assert.Contains("loaded|Polly|7.0.0.0|Default", lines);
        Assert.Contains("loaded|Polly.Core|8.0.0.0|QTickets.Engine", lines);
        Assert.Contains("loaded|Microsoft.Extensions.Logging.Abstractions|8.0.0.0|Default", lines);
        Assert.Contains("loaded|Microsoft.Extensions.Logging.Abstractions|10.0.0.0|QTickets.Engine", lines);
        Assert.Contains(lines, l => l.StartsWith("loaded|ClickHouse.Driver|", StringComparison.Ordinal) && l.EndsWith("|QTickets.Engine", StringComparison.Ordinal));
        Assert.Contains("loaded|QTickets.Engine|0.1.0.0|QTickets.Engine", lines);
        // The cmdlets and the types they take and emit stay in the default context.
        Assert.Contains("loaded|QTickets.Cmdlets|0.1.0.0|Default", lines);
    }
}
