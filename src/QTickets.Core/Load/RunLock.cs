using System.Text;

namespace QTickets.Core.Load;

/// <summary>
/// One loader run at a time per job and database. An exclusive lock on a file: the kernel releases it when the
/// holder exits, however it exits (SIGKILL included), so a killed run's lock is recovered by the next run without
/// any staleness guess. The file names the holder (pid, host, start) for the message of a run that is refused.
/// Only a live holder refuses a run (<see cref="RunLockedException"/>, exit 4, which schedulers count as success);
/// any other failure to take the lock is <see cref="RunLockFailedException"/> (exit 9, a failure), or a broken
/// lock folder would pass for "another run is busy" forever while nothing loads.
/// </summary>
public sealed class RunLock : IDisposable
{
    readonly FileStream _stream;

    RunLock(FileStream stream, string path) { _stream = stream; Path = path; }

    public string Path { get; }

    /// <summary>
    /// The default lock file: one per job and database, in the user's runtime or temp folder.
    /// <paramref name="database"/> is the database's identity as the server reports it
    /// (IClickHouseStore.GetDatabaseIdentityAsync), not the configured host: `localhost` and `127.0.0.1` name the same
    /// database and must take the same lock.
    /// </summary>
    public static string DefaultPath(string jobName, string database)
    {
        var dir = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        if (string.IsNullOrEmpty(dir) || !Directory.Exists(dir)) dir = System.IO.Path.GetTempPath();
        var safe = new string((jobName + "-" + database).Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());
        return System.IO.Path.Combine(dir, $"qtickets-{safe}.lock");
    }

    /// <summary>
    /// Takes the lock. Throws <see cref="RunLockedException"/> naming the holder when a live process holds it, and
    /// <see cref="RunLockFailedException"/> naming the path and the fix for anything else.
    /// </summary>
    public static RunLock Acquire(string path, DateTimeOffset now)
    {
        FileStream stream;
        try
        {
            // FileShare.None: .NET takes an exclusive advisory lock (flock) on Unix and a share lock on Windows.
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex) when (IsHeldElsewhere(ex))
        {
            throw new RunLockedException(path, ReadHolder(path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new RunLockFailedException(path, ex);
        }
        try
        {
            // The holder is described in a file beside the lock: the locked file itself cannot be read by others.
            var holder = $"pid {Environment.ProcessId} on {Environment.MachineName} since {now.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z";
            File.WriteAllText(HolderPath(path), holder, Encoding.UTF8);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A folder that takes the lock but not a line (full, or the holder file not ours) fails as loudly: the
            // runs it refused could not name their holder.
            stream.Dispose();
            throw new RunLockFailedException(HolderPath(path), ex);
        }
        return new RunLock(stream, path);
    }

    /// <summary>
    /// The error of a lock another process holds: EWOULDBLOCK from flock on Unix (what .NET reports as the
    /// exception's HResult there), a sharing or lock violation on Windows. Every other error is not a holder.
    /// </summary>
    static bool IsHeldElsewhere(IOException ex) =>
        OperatingSystem.IsWindows() ? (ex.HResult & 0xFFFF) is 32 or 33
        : OperatingSystem.IsLinux() ? ex.HResult == 11
        : ex.HResult == 35;

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

public sealed class RunLockedException(string path, string holder)
    : Exception($"Another QTickets load is running ({holder}; lock {path}). This run did nothing; the next scheduled run will continue.")
{
    public string Holder { get; } = holder;
    public string LockPath { get; } = path;
}

/// <summary>The run lock could not be taken, and no other run holds it: the lock folder needs fixing.</summary>
public sealed class RunLockFailedException : Exception
{
    public RunLockFailedException(string path, Exception inner)
        : base($"The run lock {path} could not be taken: {Reason(inner)} Nothing was loaded, and every run will fail like this until " +
               $"it is fixed: make {System.IO.Path.GetDirectoryName(path)} exist and writable (and not full) for the user running the load, " +
               "or put the lock elsewhere (-LockPath, or the folder in XDG_RUNTIME_DIR or TMPDIR).", inner)
        => LockPath = path;

    public string LockPath { get; }

    static string Reason(Exception ex)
    {
        var message = ex.Message.ReplaceLineEndings(" ").Trim();
        if (message.Length == 0) message = ex.GetType().Name;
        return message.EndsWith('.') ? message : message + ".";
    }
}
