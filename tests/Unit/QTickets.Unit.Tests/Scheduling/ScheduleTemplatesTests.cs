using QTickets.Core.Scheduling;
using QTickets.Tests.Shared;

namespace QTickets.Unit.Tests.Scheduling;

/// <summary>The repository's scripts/ folder is laid out as the module's: the templates are filled from it as shipped.</summary>
public class ScheduleTemplatesTests
{
    static ScheduleSettings Settings(string? moduleDir = null, string pwsh = "/opt/microsoft/powershell/7/pwsh",
        string envFile = "/etc/qtickets/qtickets.env", string user = "qtickets", string log = "/var/log/qtickets/loader.log", bool windows = false) =>
        new(moduleDir ?? Fixtures.RepoRoot, pwsh, envFile, user, log, windows);

    static string Scripts => Path.Combine(Fixtures.RepoRoot, "scripts");

    [Fact]
    public void Systemd_units_name_the_installed_loader_env_file_and_user_and_keep_no_template_lines()
    {
        var files = ScheduleTemplates.Render(Settings(), new[] { ScheduleKind.Systemd });
        Assert.Equal(new[] { "qtickets-loader.service", "qtickets-loader.timer" }, files.Select(f => f.Name));
        Assert.Equal("/etc/systemd/system/qtickets-loader.service", files[0].Path);
        var service = files[0].Content;
        Assert.Contains($"ExecStart=/opt/microsoft/powershell/7/pwsh -NoProfile -NonInteractive -File {Scripts}/Invoke-QTicketsLoader.ps1\n", service);
        Assert.Contains("EnvironmentFile=/etc/qtickets/qtickets.env\n", service);
        Assert.Contains("User=qtickets\nGroup=qtickets\n", service);
        Assert.Contains("SuccessExitStatus=4\n", service);
        Assert.DoesNotContain("{{", service);
        Assert.DoesNotContain("\n##", "\n" + service);
        Assert.Contains("systemctl enable --now qtickets-loader.timer", files[0].Install);
        Assert.Contains("OnCalendar=*:0/15", files[1].Content);
    }

    [Fact]
    public void ProtectHome_is_read_only_only_when_something_the_unit_reads_lies_under_a_home_folder()
    {
        string Protect(ScheduleSettings s) => ScheduleTemplates.Render(s, new[] { ScheduleKind.Systemd })[0].Content
            .Split('\n').Single(l => l.StartsWith("ProtectHome=", StringComparison.Ordinal));
        var home = Directory.CreateTempSubdirectory("qt-sched-").FullName;
        try
        {
            var underHome = Path.Combine(home, "home", "ops", "modules");
            Directory.CreateDirectory(Path.Combine(underHome, "scripts", "systemd"));
            foreach (var f in Directory.GetFiles(Scripts, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(underHome, "scripts", Path.GetRelativePath(Scripts, f));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(f, target);
            }
            Assert.Equal("ProtectHome=yes", Protect(Settings()));
            Assert.Equal("ProtectHome=read-only", Protect(Settings(envFile: "/home/ops/qtickets.env")));
            Assert.Equal("ProtectHome=read-only", Protect(Settings(pwsh: "/root/.dotnet/tools/pwsh")));
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [Fact]
    public void Paths_are_quoted_for_systemd_and_for_the_shell_cron_starts()
    {
        var s = Settings(pwsh: "/opt/power shell/pwsh", envFile: "/etc/q tickets/50%.env", log: "/var/log/it's.log");
        var files = ScheduleTemplates.Render(s, new[] { ScheduleKind.Systemd, ScheduleKind.Cron });
        var service = files[0].Content;
        Assert.Contains("ExecStart=\"/opt/power shell/pwsh\" -NoProfile", service);
        Assert.Contains("EnvironmentFile=/etc/q tickets/50%%.env\n", service);
        var cron = files.Single(f => f.Kind == ScheduleKind.Cron);
        Assert.Null(cron.Path);
        var line = cron.Content.Split('\n').Single(l => l.StartsWith("*/15 ", StringComparison.Ordinal));
        Assert.Equal($"*/15 * * * * NO_COLOR=1 '/opt/power shell/pwsh' -NoProfile -NonInteractive -File {Scripts}/Invoke-QTicketsLoader.ps1 " +
                     @"-EnvFile '/etc/q tickets/50\%.env' >> '/var/log/it'\''s.log' 2>&1", line);
    }

    [Fact]
    public void Script_entries_are_command_lines_with_the_installed_paths()
    {
        var files = ScheduleTemplates.Render(Settings(), new[] { ScheduleKind.Script, ScheduleKind.TaskScheduler });
        Assert.Equal(new[] { "Register-QTicketsLoaderTask.ps1", "Invoke-QTicketsLoader.ps1", "Test-QTicketsFreshness.ps1", "Invoke-QTicketsReconcile.ps1", "Invoke-QTicketsDebugProtocol.ps1" },
            files.Select(f => f.Name));
        Assert.All(files, f => Assert.True(File.Exists(f.Path), f.Name));
        Assert.Equal($"/opt/microsoft/powershell/7/pwsh -NoProfile -File {Scripts}/Test-QTicketsFreshness.ps1 -EnvFile /etc/qtickets/qtickets.env",
            files.Single(f => f.Name == "Test-QTicketsFreshness.ps1").Content);
        var windows = ScheduleTemplates.Render(Settings(pwsh: @"C:\Program Files\PowerShell\7\pwsh.exe", envFile: @"C:\qtickets\qtickets.env", windows: true),
            new[] { ScheduleKind.TaskScheduler })[0];
        Assert.StartsWith(@"& 'C:\Program Files\PowerShell\7\pwsh.exe' -NoProfile -File ", windows.Content);
        Assert.EndsWith(@"-EnvFile C:\qtickets\qtickets.env", windows.Content);
    }

    [Theory]
    [InlineData("envFile", "qtickets.env", "is relative")]
    [InlineData("envFile", "/etc/q\nx.env", "control character")]
    [InlineData("user", "Root Admin", "not a valid Linux account name")]
    [InlineData("pwsh", "/opt/\"pwsh\"", "quote or a backslash")]
    public void Bad_values_are_refused_naming_the_value(string what, string value, string expected)
    {
        var s = what switch
        {
            "envFile" => Settings(envFile: value),
            "user" => Settings(user: value),
            _ => Settings(pwsh: value),
        };
        var ex = Assert.Throws<ArgumentException>(() => ScheduleTemplates.Render(s));
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void A_module_folder_without_its_scripts_says_to_install_again()
    {
        var dir = Directory.CreateTempSubdirectory("qt-sched-").FullName;
        try
        {
            var ex = Assert.Throws<FileNotFoundException>(() => ScheduleTemplates.Render(Settings(moduleDir: dir)));
            Assert.Contains("installation is incomplete", ex.Message);
            Assert.Contains("Install-PSResource QTickets -Reinstall", ex.Message);
        }
        finally
        {
            Directory.Delete(dir);
        }
    }
}
