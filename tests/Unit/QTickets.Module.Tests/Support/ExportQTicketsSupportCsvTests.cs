using QTickets.Module.Tests.Api;
using QTickets.Module.Tests.Harness;
using QTickets.Tests.Shared;

namespace QTickets.Module.Tests.Support;

/// <summary>Export-QTicketsSupportCsv in the real engine against the sandbox: the documented one-liners as written.</summary>
public sealed class ExportQTicketsSupportCsvTests(OrderSandbox sandbox) : IClassFixture<OrderSandbox>, IDisposable
{
    const string Window = "-Since '2026-09-01T00:00:00+03:00' -Until '2026-11-21T00:00:00+03:00'";
    readonly PowerShellSession _ps = new();
    readonly string _dir = Directory.CreateTempSubdirectory("qt-support-").FullName;

    public void Dispose()
    {
        _ps.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    RunResult Run(string script) => _ps.Run(script, new Dictionary<string, object>
    {
        ["url"] = sandbox.Server.BaseUrl, ["token"] = sandbox.Server.Token, ["dir"] = _dir,
    });

    static string[] Lines(string path) => File.ReadAllText(path).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void One_row_per_order_with_no_personal_data_no_json_and_no_internal_columns()
    {
        var r = Run($"Get-QTicketsOrder -Token $token -BaseUrl $url {Window} | Export-QTicketsSupportCsv ([System.IO.Path]::Combine($dir, 'orders.csv')) -Token $token -BaseUrl $url -Delimiter ';'");
        Assert.Null(r.Terminating);
        Assert.Empty(r.Errors);
        var lines = Lines(Path.Combine(_dir, "orders.csv"));
        Assert.Equal("OrderId;Status;PaidAt;Event;ShowStart;City;Tickets;Amount;Currency;PromoCode", lines[0]);
        Assert.True(lines.Length > 100, $"{lines.Length} lines");
        var body = string.Join("\n", lines.Skip(1));
        Assert.DoesNotContain("@", body);
        Assert.DoesNotContain("{", body);
        Assert.Contains(";PROMO", body); // promo codes by their text, read from /promo-codes
        Assert.All(lines.Skip(1), l => Assert.Matches(@"^\d+;(paid|partly refunded|refunded|cancelled|reserved);", l));
    }

    [Fact]
    public void A_search_by_email_finds_the_orders_a_buyer_made_for_other_ticket_holders()
    {
        // An order whose buyer holds none of its tickets: the case where a search by holder alone finds nothing.
        var find = Run($$"""
            Get-QTicketsOrder -Token $token -BaseUrl $url {{Window}} -IncludePersonalData |
                Where-Object { $_.ClientEmail -and ($_.Baskets.HolderEmail -notcontains $_.ClientEmail) } |
                ForEach-Object { "$($_.Id) $($_.ClientEmail)" }
            """);
        Assert.Null(find.Terminating);
        var first = find.Output.First().ToString().Split(' ');
        var (orderId, email) = (first[0], first[1]);

        var r = _ps.Run($"""
            Get-QTicketsOrder -Token $token -BaseUrl $url {Window} -IncludeUnpaid -IncludeCancelled -IncludePersonalData |
                Export-QTicketsSupportCsv ([System.IO.Path]::Combine($dir, 'customer.csv')) -Email $email -PerTicket -IncludePersonalData -Token $token -BaseUrl $url -Delimiter ';'
            """, new Dictionary<string, object> { ["url"] = sandbox.Server.BaseUrl, ["token"] = sandbox.Server.Token, ["dir"] = _dir, ["email"] = email });
        Assert.Null(r.Terminating);
        Assert.Empty(r.Errors);
        var lines = Lines(Path.Combine(_dir, "customer.csv"));
        Assert.EndsWith(";BuyerName;BuyerEmail;BuyerPhone;HolderName;HolderEmail;HolderPhone", lines[0]);
        Assert.Contains(lines, l => l.StartsWith(orderId + ";", StringComparison.Ordinal));
        Assert.All(lines.Skip(1), l => Assert.Contains(email, l));
    }

    [Fact]
    public void A_search_in_orders_read_without_personal_data_says_how_to_read_them()
    {
        var r = Run($"Get-QTicketsOrder -Token $token -BaseUrl $url {Window} | Export-QTicketsSupportCsv ([System.IO.Path]::Combine($dir, 'none.csv')) -Email 'buyer1@example.test' -Token $token -BaseUrl $url");
        Assert.Null(r.Terminating);
        var error = Assert.Single(r.Errors);
        Assert.Equal("QTickets.SupportCsv.NoPersonalData,QTickets.Cmdlets.Api.ExportQTicketsSupportCsvCommand", error.FullyQualifiedErrorId);
        Assert.Equal("Read them with Get-QTicketsOrder -IncludePersonalData.", error.ErrorDetails.RecommendedAction);
        Assert.Single(Lines(Path.Combine(_dir, "none.csv"))); // the header alone
    }
}
