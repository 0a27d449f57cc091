using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using QTickets.Tests.Shared;

namespace QTickets.Module.Tests.Diagnostics;

/// <summary>A sandbox that behaves like the real API.</summary>
public sealed class ProtocolSandbox : IDisposable
{
    public SandboxProcess Server { get; } = SandboxProcess.Start("--seed", "7");
    public void Dispose() => Server.Dispose();
}

/// <summary>A sandbox in the "down" fault profile: every API request gets 503 UNKNOWN_ERROR.</summary>
public sealed class DownSandbox : IDisposable
{
    public SandboxProcess Server { get; } = SandboxProcess.Start("--seed", "7", "--faults", "down");
    public void Dispose() => Server.Dispose();
}

/// <summary>Env files and scans shared by the engine-hosted and the script tests.</summary>
internal static class ProtocolFiles
{
    /// <summary>An env file (owner-only, like a real secrets file) pointing at <paramref name="server"/>.</summary>
    public static string EnvFile(string dir, SandboxProcess server, string? token = null)
    {
        var path = Path.Combine(dir, "qtickets.env");
        File.WriteAllText(path, $"QTICKETS_TOKEN={token ?? server.Token}\nQTICKETS_BASE_URL={server.BaseUrl}\nORG_NAME=org-sandbox\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    /// <summary>The token's fingerprint as the module shows it: 2 + *** + 2 from 24 characters, 1 + *** + 1 from 12.</summary>
    public static string Fingerprint(string token) =>
        token.Length >= 24 ? token[..2] + "***" + token[^2..] : token.Length >= 12 ? token[..1] + "***" + token[^1..] : "***";

    /// <summary>
    /// Every file of the report folder and every file inside the archive, by name. Fails if the archive lacks a
    /// file of the folder.
    /// </summary>
    public static Dictionary<string, string> AllTexts(string dir, string archive)
    {
        var texts = Directory.EnumerateFiles(dir).ToDictionary(f => Path.GetFileName(f), File.ReadAllText);
        var archived = new Dictionary<string, string>();
        using (var gz = new GZipStream(File.OpenRead(archive), CompressionMode.Decompress))
        using (var tar = new TarReader(gz))
            while (tar.GetNextEntry() is { } entry)
                if (entry.DataStream is { } data)
                    archived["archive:" + entry.Name] = new StreamReader(data, Encoding.UTF8).ReadToEnd();
        var folder = Path.GetFileName(dir);
        foreach (var name in texts.Keys) Assert.Contains("archive:" + folder + "/" + name, archived.Keys);
        return texts.Concat(archived).ToDictionary(kv => kv.Key, kv => kv.Value);
    }

    /// <summary>
    /// No token, and none of the fixture or sandbox customers' e-mails (buyerN@example.test), phones
    /// (+7 and ten digits) or synthetic surnames (SurnameN) in any text.
    /// </summary>
    public static void AssertClean(IReadOnlyDictionary<string, string> texts, string token)
    {
        Assert.NotEmpty(texts);
        foreach (var (name, text) in texts)
        {
            Assert.False(text.Contains(token, StringComparison.Ordinal), $"{name} holds the token");
            var leak = Regex.Match(text, @"buyer\d+@example\.test|\+7\d{10}|Surname\d+");
            Assert.False(leak.Success, $"{name} holds personal data: {leak.Value}");
        }
    }
}
