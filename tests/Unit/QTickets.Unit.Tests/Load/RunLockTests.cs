using System.Diagnostics;
using QTickets.Load;

namespace QTickets.Unit.Tests.Load;

public sealed class RunLockTests : IDisposable
{
    readonly string _path = Path.Combine(Path.GetTempPath(), $"qtickets-test-{Guid.NewGuid():N}.lock");

    public void Dispose()
    {
        File.Delete(_path);
        File.Delete(_path + ".holder");
    }

    [Fact]
    public void A_run_refused_before_the_new_holder_wrote_its_line_names_the_new_holder_not_the_previous_one()
    {
        var now = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
        using (RunLock.Acquire(_path, now))
        {
            var holderPath = _path + ".holder";
            var current = File.ReadAllText(holderPath);
            // As if the lock were taken but the holder's line not yet written: the previous, exited holder's line.
            File.WriteAllText(holderPath, "pid 2147483646 on old-host since 2020-01-01 00:00:00Z");
            // A thread of its own: under a loaded test run the thread pool can be slower than the wait being tested.
            var writer = new Thread(() =>
            {
                Thread.Sleep(200);
                File.WriteAllText(holderPath, current);
            });
            writer.Start();
            var ex = Assert.Throws<RunLockedException>(() => RunLock.Acquire(_path, now));
            writer.Join();
            Assert.Contains($"pid {Environment.ProcessId} ", ex.Message);
            Assert.DoesNotContain("old-host", ex.Message);
        }
    }

    [Fact]
    public void A_second_acquire_is_refused_naming_the_holder_and_works_after_release()
    {
        var now = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
        using (RunLock.Acquire(_path, now))
        {
            var ex = Assert.Throws<RunLockedException>(() => RunLock.Acquire(_path, now));
            Assert.Contains($"pid {Environment.ProcessId}", ex.Message);
            Assert.Contains("2026-11-23 12:00:00Z", ex.Message);
            Assert.Contains(_path, ex.Message);
        }
        using (RunLock.Acquire(_path, now)) { }
    }

    [Fact]
    public void A_lock_held_by_a_killed_process_is_recovered()
    {
        // A process holds the lock like a loader would (bash takes it, then becomes `sleep`, keeping the descriptor);
        // SIGKILL it and the kernel releases the lock.
        var holder = Process.Start(new ProcessStartInfo("bash", new[] { "-c", $"exec 9>\"{_path}\"; flock -x 9; exec sleep 60" }) { UseShellExecute = false })!;
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (true)
            {
                try { using (RunLock.Acquire(_path, DateTimeOffset.UtcNow)) { } }
                catch (RunLockedException) { break; }
                Assert.True(DateTime.UtcNow < deadline, "flock never took the lock");
                Thread.Sleep(50);
            }
            holder.Kill();
            holder.WaitForExit();
            using (RunLock.Acquire(_path, DateTimeOffset.UtcNow)) { }
        }
        finally
        {
            if (!holder.HasExited) holder.Kill();
        }
    }
}
