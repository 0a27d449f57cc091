using System.Text;

namespace QTickets.Load;

/// <summary>
/// One loader run at a time per job and database. An exclusive lock on a file: the kernel releases it when the
/// holder exits, however it exits (SIGKILL included), so a killed run's lock is recovered by the next run without
/// any staleness guess. The file names the holder (pid, host, start) for the message of a run that is refused.
/// </summary>
public sealed class RunLock : IDisposable
{
    readonly FileStream _stream;

    RunLock(FileStream stream, string path) { _stream = stream; Path = path; }

    public string Path { get; }

    /// <summary>The default lock file: one per job and ClickHouse target, in the user's runtime or temp folder.</summary>
    public static string DefaultPath(string jobName, string target)
    {
        var dir = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        if (string.IsNullOrEmpty(dir) || !Directory.Exists(dir)) dir = System.IO.Path.GetTempPath();
        var safe = new string((jobName + "-" + target).Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
        return System.IO.Path.Combine(dir, $"qtickets-{safe}.lock");
    }

    /// <summary>Takes the lock, or throws <see cref="RunLockedException"/> naming the holder.</summary>
    public static RunLock Acquire(string path, DateTimeOffset now)
    {
        FileStream stream;
        try
        {
            // FileShare.None: .NET takes an exclusive advisory lock (flock) on Unix and a share lock on Windows.
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new RunLockedException(path, ReadHolder(path));
        }
        // The holder is described in a file beside the lock: the locked file itself cannot be read by others.
        var holder = $"pid {Environment.ProcessId} on {Environment.MachineName} since {now.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z";
        File.WriteAllText(HolderPath(path), holder, Encoding.UTF8);
        return new RunLock(stream, path);
    }

    static string HolderPath(string path) => path + ".holder";

    /// <summary>
    /// The holder's description. The winner writes it just after taking the lock, so a run refused in between
    /// would read the previous holder's line (a process that has exited): it waits up to two seconds for a line that
    /// names a running process.
    /// </summary>
    static string ReadHolder(string path)
    {
        var text = "";
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try { text = File.ReadAllText(HolderPath(path)).Trim(); }
            catch (IOException) { text = ""; }
            if (NamesARunningProcess(text) || waited.Elapsed > TimeSpan.FromSeconds(2)) break;
            Thread.Sleep(50);
        }
        return text.Length == 0 ? "an unknown process" : text;
    }

    static bool NamesARunningProcess(string holder)
    {
        var parts = holder.Split(' ');
        if (parts.Length < 2 || parts[0] != "pid" || !int.TryParse(parts[1], out var pid)) return false;
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    public void Dispose() => _stream.Dispose();
}

public sealed class RunLockedException : Exception
{
    public RunLockedException(string path, string holder)
        : base($"Another QTickets load is running ({holder}; lock {path}). This run did nothing; the next scheduled run will continue.")
    {
        Holder = holder;
        LockPath = path;
    }

    public string Holder { get; }
    public string LockPath { get; }
}
