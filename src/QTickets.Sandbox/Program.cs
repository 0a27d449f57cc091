using QTickets.Sandbox.Server;

namespace QTickets.Sandbox;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(SandboxOptions.Usage);
            return 0;
        }
        SandboxOptions opt;
        try { opt = SandboxOptions.Parse(args); }
        catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
        {
            Console.Error.WriteLine("qtickets-sandbox: " + ex.Message);
            Console.Error.WriteLine(SandboxOptions.Usage);
            return 2;
        }
        try
        {
            await using var server = await SandboxServer.StartAsync(opt);
            // First stdout line: scripts read the URL from it (with --port 0 the port is chosen by the OS).
            Console.Out.WriteLine($"QTickets sandbox listening on {server.BaseUrl}");
            Console.Out.Flush();
            Console.Error.WriteLine($"qtickets-sandbox: mode={server.Store.Mode} orders={server.Store.Orders.Count} token={opt.Token} control={server.RootUrl}/_sandbox/");
            await server.WaitForShutdownAsync(); // SIGTERM / Ctrl+C end it cleanly
            return 0;
        }
        catch (Exception ex) when (ex is IOException or FormatException or System.Text.Json.JsonException)
        {
            Console.Error.WriteLine("qtickets-sandbox: " + ex.Message);
            return 1;
        }
    }
}
