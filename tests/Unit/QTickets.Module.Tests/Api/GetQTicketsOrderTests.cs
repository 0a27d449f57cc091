using System.Diagnostics;
using System.Management.Automation;
using System.Text.Json;
using QTickets.Module.Tests.Harness;
using QTickets.Tests.Shared;

namespace QTickets.Module.Tests.Api;

/// <summary>One generated sandbox shared by the read-only tests of this class (never faulted, never advanced).</summary>
public sealed class OrderSandbox : IDisposable
{
    public SandboxProcess Server { get; } = SandboxProcess.Start("--seed", "21", "--orders", "400");
    public void Dispose() => Server.Dispose();
}

/// <summary>Get-QTicketsOrder in the real PowerShell engine against the sandbox process.</summary>
public sealed class GetQTicketsOrderTests(OrderSandbox sandbox) : IClassFixture<OrderSandbox>, IDisposable
{
    // The sandbox's default virtual now is 2026-11-20 12:00 MSK with 60 days of history.
    const string Window = "-Since '2026-09-01T00:00:00+03:00' -Until '2026-11-21T00:00:00+03:00'";
    const string PaidWindowWhere =
        """[{"column":"payed","value":1},{"column":"payed_at","operator":">=","value":"2026-09-01T00:00:00+03:00"},{"column":"payed_at","operator":"<","value":"2026-11-21T00:00:00+03:00"}]""";

    readonly PowerShellSession _ps = new();
    SandboxProcess Sandbox => sandbox.Server;

    public void Dispose() => _ps.Dispose();

    RunResult Run(string script, SandboxProcess? server = null)
    {
        server ??= Sandbox;
        return _ps.Run(script, new Dictionary<string, object> { ["url"] = server.BaseUrl, ["token"] = server.Token });
    }

    static ErrorRecord TerminatingRecord(RunResult r) => r.Terminating?.ErrorRecord ?? Assert.Single(r.Errors);

    // Relaxed escaping: the default encoder writes '+' as \u002B, which would hide a phone number from the scan.
    static readonly JsonSerializerOptions Unescaped = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    static string Json(PSObject o) => JsonSerializer.Serialize(o.BaseObject, o.BaseObject.GetType(), Unescaped);

    [Fact]
    public async Task Streams_typed_orders_of_the_payment_window_in_id_order()
    {
        var expected = await Sandbox.OrderIdsAsync(PaidWindowWhere);

        var r = Run($"Get-QTicketsOrder -Token $token -BaseUrl $url {Window} -IncludeCancelled");

        Assert.Null(r.Terminating);
        Assert.Empty(r.Errors);
        Assert.All(r.Output, o => Assert.Equal("QTickets.Core.Model.Order", o.BaseObject.GetType().FullName));
        Assert.Equal(expected, r.Output.Select(o => (long)o.Properties["Id"].Value));
    }

    [Fact]
    public void Paid_orders_by_default_and_cancelled_or_unpaid_only_when_asked()
    {
        var paid = Run($"Get-QTicketsOrder -Token $token -BaseUrl $url {Window}");
        var all = Run($"Get-QTicketsOrder -Token $token -BaseUrl $url {Window} -IncludeUnpaid -IncludeCancelled");

        Assert.All(paid.Output, o => Assert.Contains(o.Properties["Status"].Value.ToString(), new[] { "Paid", "PartiallyRefunded", "Refunded" }));
        var statuses = all.Output.Select(o => o.Properties["Status"].Value.ToString()).ToHashSet();
        Assert.Contains("Cancelled", statuses);
        Assert.True(all.Output.Count > paid.Output.Count);
    }

    [Fact]
    public async Task Verbose_writes_one_line_per_request_with_the_fingerprint_and_never_the_token()
    {
        await Sandbox.ResetStatsAsync();

        var r = Run($"Get-QTicketsOrder -Token $token -BaseUrl $url {Window} -Parallelism 2 -Verbose");

        var requestLines = r.Verbose.Where(l => l.StartsWith("GET /orders page", StringComparison.Ordinal)).ToList();
        Assert.Equal(await Sandbox.RequestCountAsync("/orders"), requestLines.Count);
        var fingerprint = QTickets.Module.Tests.Diagnostics.ProtocolFiles.Fingerprint(Sandbox.Token);
        Assert.All(requestLines, l => Assert.Matches(@"^GET /orders page \d+: 200, \d+ items in \d+ ms \(token " + System.Text.RegularExpressions.Regex.Escape(fingerprint) + @"\)$", l));
        Assert.DoesNotContain(Sandbox.Token, r.AllText());
    }

    [Fact]
    public void Pages_in_flight_adapt_below_the_ceiling_unless_pinned_and_the_verbose_output_says_which()
    {
        var adaptive = Run($"Get-QTicketsOrder -Token $token -BaseUrl $url {Window} -MaxParallelism 3 -Verbose");
        Assert.Contains("Pages in flight: adaptive, starting at 3, ceiling 3 (QTICKETS_MAX_PAGES_IN_FLIGHT or -MaxParallelism).", adaptive.Verbose);
        Assert.Contains(adaptive.Verbose, l => l.StartsWith("Read orders from GET /orders: ", StringComparison.Ordinal) && l.Contains("ceiling 3"));

        var pinned = Run($"Get-QTicketsOrder -Token $token -BaseUrl $url {Window} -Parallelism 2 -Verbose");
        Assert.Contains("Pages in flight: 2, pinned by -Parallelism.", pinned.Verbose);
        Assert.Contains(pinned.Verbose, l => l.StartsWith("Read orders from GET /orders: ", StringComparison.Ordinal) && l.EndsWith("2 pages in flight (pinned).", StringComparison.Ordinal));
    }

    [Fact]
    public void Progress_counts_pages_and_ends_with_a_Completed_record()
    {
        var r = Run($"Get-QTicketsOrder -Token $token -BaseUrl $url {Window}");

        Assert.Contains(r.Progress, p => p.StatusDescription.StartsWith("page 1 of ", StringComparison.Ordinal));
        Assert.Equal(ProgressRecordType.Completed, r.Progress[^1].RecordType);
    }

    [Fact]
    public void No_personal_data_in_default_output_and_all_of_it_with_IncludePersonalData()
    {
        var plain = Run($"Get-QTicketsOrder -Token $token -BaseUrl $url {Window} -IncludeCancelled");
        var personal = Run($"Get-QTicketsOrder -Token $token -BaseUrl $url {Window} -IncludeCancelled -IncludePersonalData");

        var plainText = string.Join("\n", plain.Output.Select(Json)) + plain.AllText();
        Assert.NotEmpty(plain.Output);
        Assert.DoesNotContain("@example.test", plainText);
        Assert.DoesNotContain("+7000000", plainText);
        var personalText = string.Join("\n", personal.Output.Select(Json));
        Assert.Contains("@example.test", personalText);
        Assert.Contains("+7000000", personalText);
        Assert.All(personal.Output, o => Assert.NotNull(o.Properties["ClientEmail"].Value));
    }

    [Fact]
    public async Task Ids_are_read_one_by_one_and_an_unknown_id_is_a_non_terminating_ObjectNotFound()
    {
        var known = (await Sandbox.OrderIdsAsync(PaidWindowWhere)).Take(2).ToArray();

        var r = Run($"Get-QTicketsOrder -Token $token -BaseUrl $url -Id {known[0]}, 999999999, {known[1]}");

        Assert.Null(r.Terminating);
        Assert.Equal(known, r.Output.Select(o => (long)o.Properties["Id"].Value));
        var error = Assert.Single(r.Errors);
        Assert.Equal("QTickets.Api.OrderNotFound,QTickets.Cmdlets.Api.GetQTicketsOrderCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal(999999999L, error.TargetObject);
    }

    [Fact]
    public async Task Ids_bind_from_the_pipeline_by_property_name()
    {
        var known = (await Sandbox.OrderIdsAsync(PaidWindowWhere)).Take(3).ToArray();

        var r = Run($$"""
            $orders = Get-QTicketsOrder -Token $token -BaseUrl $url -Id {{string.Join(",", known)}}
            $orders | Get-QTicketsOrder -Token $token -BaseUrl $url
            [pscustomobject]@{ OrderId = {{known[0]}} } | Get-QTicketsOrder -Token $token -BaseUrl $url
            """);

        Assert.Empty(r.Errors);
        Assert.Equal(known.Append(known[0]), r.Output.Select(o => (long)o.Properties["Id"].Value));
    }

    [Fact]
    public void A_refused_token_is_one_terminating_AuthenticationError_that_names_QTICKETS_TOKEN()
    {
        var r = _ps.Run($"Get-QTicketsOrder -Token 'qt-WRONG-t0ken-abcdefgh' -BaseUrl $url {Window}",
            new Dictionary<string, object> { ["url"] = Sandbox.BaseUrl });

        var record = TerminatingRecord(r);
        Assert.Empty(r.Output);
        Assert.Equal("QTickets.Api.Unauthorized,QTickets.Cmdlets.Api.GetQTicketsOrderCommand", record.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.AuthenticationError, record.CategoryInfo.Category);
        Assert.Contains("QTICKETS_TOKEN", record.Exception.Message);
        Assert.DoesNotContain("qt-WRONG-t0ken-abcdefgh", r.AllText());
    }

    [Fact]
    public void An_API_that_stays_down_is_a_terminating_ConnectionError_with_attempts_and_the_last_answer()
    {
        using var down = SandboxProcess.Start("--seed", "22", "--orders", "50", "--faults", "down");

        var r = Run($"Get-QTicketsOrder -Token $token -BaseUrl $url {Window} -MaxAttempts 2", down);

        var record = TerminatingRecord(r);
        Assert.Equal("QTickets.Api.Unavailable,QTickets.Cmdlets.Api.GetQTicketsOrderCommand", record.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ConnectionError, record.CategoryInfo.Category);
        Assert.Contains("after 2 attempt(s)", record.Exception.Message);
        Assert.Contains("HTTP 503", record.Exception.Message);
        Assert.Contains("UNKNOWN_ERROR", record.Exception.Message);
        Assert.Equal("GET /orders page 1", record.TargetObject);
        Assert.Equal(ProgressRecordType.Completed, r.Progress[^1].RecordType);
    }

    [Fact]
    public async Task Stop_ends_a_slow_read_without_waiting_for_its_answer()
    {
        // Answers take 30 s: a Stop that waited for the request in flight would take over 28 s; the bound leaves room
        // for a CPU-starved test machine.
        using var slow = SandboxProcess.Start("--seed", "23", "--orders", "200");
        await slow.SetFaultsAsync("""{"latency":{"minMs":30000,"maxMs":30000}}""");
        using var ps = PowerShell.Create();
        ps.Runspace = _ps.Runspace;
        ps.AddScript($"Get-QTicketsOrder -Token '{slow.Token}' -BaseUrl '{slow.BaseUrl}' {Window}");
        var running = ps.BeginInvoke();
        await Task.Delay(1500); // the first request is in flight by now

        var clock = Stopwatch.StartNew();
        ps.Stop();
        clock.Stop();

        Assert.True(running.IsCompleted);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"Stop took {clock.Elapsed}");
        Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
    }
}
