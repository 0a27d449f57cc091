using System.Diagnostics;
using QTickets.Core.Load;

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

    [Fact]
    public void A_lock_folder_that_does_not_exist_is_its_own_failure_naming_the_path_and_the_fix_not_another_run()
    {
        var path = Path.Combine(Path.GetTempPath(), $"qtickets-missing-{Guid.NewGuid():N}", "run.lock");
        var ex = Assert.Throws<RunLockFailedException>(() => RunLock.Acquire(path, DateTimeOffset.UtcNow));
        Assert.Equal(path, ex.LockPath);
        Assert.StartsWith($"The run lock {path} could not be taken: ", ex.Message);
        Assert.Contains($"make {Path.GetDirectoryName(path)} exist and writable", ex.Message);
        Assert.Contains("-LockPath", ex.Message);
        Assert.DoesNotContain("Another QTickets load is running", ex.Message);
    }

    [Fact]
    public void A_lock_path_under_a_file_or_that_is_a_folder_fails_as_a_broken_lock_not_as_a_held_one()
    {
        File.WriteAllText(_path, "a file where a folder should be");
        Assert.Throws<RunLockFailedException>(() => RunLock.Acquire(Path.Combine(_path, "run.lock"), DateTimeOffset.UtcNow));
        File.Delete(_path);

        Directory.CreateDirectory(_path);
        try
        {
            Assert.Throws<RunLockFailedException>(() => RunLock.Acquire(_path, DateTimeOffset.UtcNow));
        }
        finally
        {
            Directory.Delete(_path);
        }
    }

    [Fact]
    public void A_holder_line_that_cannot_be_written_fails_the_run_and_releases_the_lock()
    {
        // The lock file can be created but not the holder's line (here its path is a folder; on a full disk the
        // write fails the same way): a failure, and the lock is not left held by this process.
        Directory.CreateDirectory(_path + ".holder");
        try
        {
            var ex = Assert.Throws<RunLockFailedException>(() => RunLock.Acquire(_path, DateTimeOffset.UtcNow));
            Assert.Contains(_path + ".holder", ex.Message);
        }
        finally
        {
            Directory.Delete(_path + ".holder");
        }
        using (RunLock.Acquire(_path, DateTimeOffset.UtcNow)) { }
    }

    [Fact]
    public void The_default_lock_is_named_by_the_job_and_the_database_identity_only()
    {
        var a = RunLock.DefaultPath("qtickets_api", "zakaz-b1546436-a7a8-4de8-9d4f-f0eff37cf0e4");
        Assert.Equal("qtickets-qtickets_api-zakaz-b1546436-a7a8-4de8-9d4f-f0eff37cf0e4.lock", Path.GetFileName(a));
        Assert.NotEqual(a, RunLock.DefaultPath("other_job", "zakaz-b1546436-a7a8-4de8-9d4f-f0eff37cf0e4"));
        Assert.Equal("qtickets-qtickets_api-zakaz-ch_1.example-8123.lock", Path.GetFileName(RunLock.DefaultPath("qtickets_api", "zakaz-ch/1.example-8123")));
    }
}
