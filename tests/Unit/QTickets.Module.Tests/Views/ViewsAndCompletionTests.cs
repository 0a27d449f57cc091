using System.Xml.Linq;
using QTickets.Module.Tests.Harness;
using QTickets.Tests.Shared;

namespace QTickets.Module.Tests.Views;

/// <summary>One sandbox for the event-id completion tests (never changed).</summary>
public sealed class CompletionSandbox : IDisposable
{
    public SandboxProcess Server { get; } = SandboxProcess.Start("--seed", "5", "--orders", "50");
    public void Dispose() => Server.Dispose();
}

/// <summary>Every output type has a view; argument completers answer through the engine's own TabExpansion2.</summary>
public sealed class ViewsAndCompletionTests(CompletionSandbox sandbox) : IClassFixture<CompletionSandbox>, IDisposable
{
    readonly PowerShellSession _ps = new();

    public void Dispose() => _ps.Dispose();

    List<string> Complete(string input, PowerShellSession? session = null)
    {
        var r = (session ?? _ps).Run("(TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object { $_.CompletionText }",
            new Dictionary<string, object> { ["line"] = input });
        Assert.Null(r.Terminating);
        Assert.Empty(r.Errors);
        return r.Output.Select(o => o.ToString()).ToList();
    }

    [Fact]
    public void Every_output_type_of_every_exported_cmdlet_has_a_view()
    {
        var r = _ps.Run("""
            $m = Get-Module QTickets
            foreach ($f in $m.ExportedFormatFiles) { "file|$f" }
            foreach ($c in $m.ExportedCmdlets.Values) { foreach ($t in $c.OutputType) { "type|$($c.Name)|$($t.Name)" } }
            """);
        Assert.Null(r.Terminating);
        var lines = r.Output.Select(o => o.ToString()).ToList();
        var viewed = lines.Where(l => l.StartsWith("file|", StringComparison.Ordinal))
            .SelectMany(l => XDocument.Load(l[5..]).Descendants("ViewSelectedBy").Elements("TypeName").Select(e => e.Value.Trim()))
            .ToHashSet(StringComparer.Ordinal);
        var outputs = lines.Where(l => l.StartsWith("type|", StringComparison.Ordinal)).Select(l => l.Split('|')).ToList();
        Assert.True(outputs.Count >= 15, $"only {outputs.Count} output types found");
        var missing = outputs.Where(o => !viewed.Contains(o[2])).Select(o => $"{o[1]} -> {o[2]}").Distinct().ToList();
        Assert.True(missing.Count == 0, "Output types without a view (add one to a module/*.Format.ps1xml):\n" + string.Join("\n", missing));
    }

    [Fact]
    public void Write_QTicketsClickHouse_Table_completes_the_QTickets_tables()
    {
        var tables = Complete("Write-QTicketsClickHouse -Table stg_");
        Assert.Equal(new[]
        {
            "stg_qtickets_api_barcodes_raw", "stg_qtickets_api_discounts_raw", "stg_qtickets_api_inventory_raw", "stg_qtickets_api_orders_raw",
            "stg_qtickets_api_partner_tickets_raw", "stg_qtickets_api_price_shades_raw", "stg_qtickets_api_promo_codes_raw",
        }, tables); // not stg_qtickets_api_clients_raw: personal data is never written
        Assert.Contains("meta_job_runs", Complete("Write-QTicketsClickHouse -Table "));
        Assert.Contains("dim_events", Complete("Get-QTicketsEvent | Write-QTicketsClickHouse di"));
    }

    [Fact]
    public void Test_QTicketsEndpoint_Step_completes_the_protocol_steps()
    {
        Assert.Equal(new[] { "A0", "A1", "A2", "A3" }, Complete("Test-QTicketsEndpoint -Step A"));
        Assert.Contains("J1", Complete("Test-QTicketsEndpoint -Step "));
    }

    [Fact]
    public void Event_ids_complete_from_the_last_Get_QTicketsEvent_of_the_session()
    {
        Assert.Empty(Complete("Get-QTicketsEvent -Id "));
        var r = _ps.Run("Get-QTicketsEvent -Token $token -BaseUrl $url | ForEach-Object { $_.Id }",
            new Dictionary<string, object> { ["url"] = sandbox.Server.BaseUrl, ["token"] = sandbox.Server.Token });
        Assert.Null(r.Terminating);
        var ids = r.Output.Select(o => o.ToString()).ToList();
        Assert.NotEmpty(ids);

        Assert.Equal(ids, Complete("Get-QTicketsEvent -Id "));
        Assert.Equal(ids, Complete("Get-QTicketsInventory -EventId "));
        var first = ids[0];
        Assert.Contains(first, Complete($"Get-QTicketsInventory -EventId {first[..2]}"));

        // Another session has its own (empty) list.
        using var other = new PowerShellSession();
        Assert.Empty(Complete("Get-QTicketsEvent -Id ", other));
    }
}
