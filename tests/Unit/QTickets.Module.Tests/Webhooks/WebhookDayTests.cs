using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using QTickets.Module.Tests.Harness;
using QTickets.Module.Tests.Load;
using Xunit.Abstractions;
using QTickets.Tests.Shared;

namespace QTickets.Module.Tests.Webhooks;

/// <summary>
/// A day of webhook traffic from the sandbox into scripts/Start-QTicketsWebhookReceiver.ps1 (a real pwsh process):
/// after the scheduled load's backfill, 96 clock steps of 15 minutes, every change delivered (with duplicates and
/// tampered copies throughout), the receiver killed and restarted, ClickHouse unreachable for half an hour, and a
/// stretch of held deliveries released newest first. The facts must then equal the sandbox truth through
/// webhooks alone; the scheduled load and the reconciliation afterwards find nothing to change.
/// </summary>
[Collection("Load end-to-end")]
public sealed class WebhookDayTests(ITestOutputHelper output)
{
    const string Secret = "webhook-day-secret-5b1c9e7d2a";
    static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromMinutes(3) };

    sealed class Receiver : IDisposable
    {
        readonly Process _process;
        readonly StringBuilder _out = new();

        public Receiver(LoadRig rig, string envFile)
        {
            var args = new[] { "-File", Path.Combine(ModuleLayout.RepoRoot, "scripts", "Start-QTicketsWebhookReceiver.ps1"), "-EnvFile", envFile };
            _process = Process.Start(ScriptRunner.StartInfo(args, rig.ScriptEnv))!;
            _process.StandardInput.Close();
            var listening = new TaskCompletionSource();
            _process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (_out) _out.AppendLine(e.Data);
                if (e.Data.Contains("listening on", StringComparison.Ordinal)) listening.TrySetResult();
            };
            _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_out) _out.AppendLine("ERR " + e.Data); };
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
            if (!listening.Task.Wait(TimeSpan.FromSeconds(60)))
                throw new InvalidOperationException("the receiver did not start:\n" + Output);
        }

        public string Output { get { lock (_out) return _out.ToString(); } }

        public void Kill() => _process.Kill(entireProcessTree: true);

        /// <summary>SIGTERM, as systemctl stop sends it; the exit code.</summary>
        public int Terminate()
        {
            Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
            if (!_process.WaitForExit(TimeSpan.FromSeconds(60))) { Kill(); throw new TimeoutException("the receiver did not stop on SIGTERM"); }
            _process.WaitForExit();
            return _process.ExitCode;
        }

        public void Dispose()
        {
            if (!_process.HasExited) Kill();
            _process.Dispose();
        }
    }

    static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    static async Task<JsonElement> Control(LoadRig rig, HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, rig.Sandbox.RootUrl + path);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await s_http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    [Fact]
    public async Task A_day_of_deliveries_with_a_killed_receiver_and_ClickHouse_down_ends_with_facts_equal_to_the_truth()
    {
        var total = Stopwatch.StartNew();
        var port = FreePort();
        using var rig = new LoadRig("--seed", "19", "--orders", "1500", "--history-days", "20", "--rate", "30",
            "--webhook-url", $"http://127.0.0.1:{port}/qtickets/webhook", "--webhook-secret", Secret);
        var backfill = await rig.ScriptAsync();
        Assert.True(backfill.ExitCode == 0, backfill.ToString());
        await rig.AssertTotalsMatchTruthAsync("after the backfill");

        using var clickHouse = new TcpProxy(rig.Ch.Host, rig.Ch.Port);
        var envFile = rig.WriteEnv("webhook.env", port: clickHouse.Port);
        File.AppendAllText(envFile, $"QTICKETS_WEBHOOK_SECRET={Secret}\nQTICKETS_WEBHOOK_PORT={port}\n");
        await Control(rig, HttpMethod.Post, "/_sandbox/webhooks", "{\"duplicates\":true,\"forgeEvery\":5,\"concurrency\":8}");

        var receiver = new Receiver(rig, envFile);
        var outputs = new List<string>();
        try
        {
            for (var step = 1; step <= 96; step++)
            {
                if (step == 30) { outputs.Add(receiver.Output); receiver.Kill(); receiver.Dispose(); }
                if (step == 32) receiver = new Receiver(rig, envFile);
                if (step == 50) clickHouse.Off();
                if (step == 52) clickHouse.On();
                if (step == 70) await Control(rig, HttpMethod.Post, "/_sandbox/webhooks", "{\"hold\":true}");
                if (step == 73) await Control(rig, HttpMethod.Post, "/_sandbox/webhooks", "{\"hold\":false,\"reorder\":true}");
                if (step == 75) await Control(rig, HttpMethod.Post, "/_sandbox/webhooks", "{\"reorder\":false}");
                await rig.AdvanceAsync(TimeSpan.FromMinutes(15));
                // The kill lands while this step's deliveries are on their way.
                if (step != 29) await Control(rig, HttpMethod.Post, "/_sandbox/webhooks/flush");
            }
            // Retries still waiting for their n³ seconds: a few more minutes of virtual time, nothing else changing much.
            for (var i = 0; i < 12; i++)
            {
                await rig.AdvanceAsync(TimeSpan.FromMinutes(5));
                await Control(rig, HttpMethod.Post, "/_sandbox/webhooks/flush");
            }
            var stats = await Control(rig, HttpMethod.Get, "/_sandbox/webhooks");
            output.WriteLine(stats.ToString());
            output.WriteLine(string.Join("\n", string.Join("\n", outputs.Append(receiver.Output)).Split('\n').Where(l => !l.Contains(" 200 ")).TakeLast(60)));
            Assert.Equal(0, stats.GetProperty("pending").GetInt64());
            Assert.Equal(0, stats.GetProperty("dead").GetInt64());
            Assert.True(stats.GetProperty("failedAttempts").GetInt64() > 0, "no delivery failed: the kill and the outage did not bite");
            Assert.True(stats.GetProperty("forgedSent").GetInt64() > 0);
            // Tampered copies sent while the receiver was down were refused by nobody; none was ever accepted.
            Assert.True(stats.GetProperty("forgedRefused").GetInt64() > stats.GetProperty("forgedSent").GetInt64() / 2, stats.ToString());
            Assert.Equal(0, stats.GetProperty("forgedAccepted").GetInt64());

            // The facts follow staging within seconds of the last delivery.
            var truth = await rig.TruthAsync();
            // Plain sums too, once the last recomputation has finished: between its insert and its delete a day's old
            // and new sums stand side by side (FINAL reads the new ones), so the check waits for that moment to pass.
            var waited = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    await rig.AssertTotalsMatchTruthAsync("after the day of webhooks");
                    break;
                }
                catch (Xunit.Sdk.XunitException) when (waited.Elapsed < TimeSpan.FromSeconds(30))
                {
                    await Task.Delay(200);
                }
            }
            Assert.Equal(1, rig.Runs("ok"));

            Assert.Equal(0, receiver.Terminate());
            outputs.Add(receiver.Output);
        }
        finally
        {
            receiver.Dispose();
        }
        var log = string.Join("\n", outputs);
        rig.Record(log);
        Assert.Contains("webhook 200 payed", log);
        Assert.Contains("webhook 401", log);
        Assert.Contains("webhook 503", log);
        Assert.Contains("unchanged", log);
        Assert.Contains("stopped after", log);
        Assert.DoesNotContain(Secret, log);

        // The backstop finds nothing to change: the scheduled load, then the reconciliation over every day.
        var load = await rig.ScriptAsync();
        Assert.True(load.ExitCode == 0, load.ToString());
        await rig.AssertTotalsMatchTruthAsync("after the scheduled load");
        var now = await rig.NowAsync();
        var today = now[..10];
        var reconcile = ScriptRunner.Run(new[] { "-File", Path.Combine(ModuleLayout.RepoRoot, "scripts", "Invoke-QTicketsReconcile.ps1"),
            "-EnvFile", rig.EnvFile, "-Now", now, "-From", DateTime.ParseExact(today, "yyyy-MM-dd", CultureInfo.InvariantCulture).AddDays(-3).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            "-To", today }, rig.ScriptEnv);
        rig.Record(reconcile.StdOut, reconcile.StdErr);
        Assert.True(reconcile.ExitCode == 0, reconcile.ToString());
        Assert.StartsWith("qtickets_api_reconcile clean", reconcile.StdOut);
        rig.AssertNoSecretsOrPersonalData();
        output.WriteLine($"{total.Elapsed.TotalSeconds:0.0} s in all");
    }
}
