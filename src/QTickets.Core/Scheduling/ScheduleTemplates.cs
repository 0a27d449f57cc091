using System.Text;
using System.Text.RegularExpressions;

namespace QTickets.Core.Scheduling;

/// <summary>
/// Fills the unit and cron templates that ship in the module's scripts/ folder with this installation's paths, so
/// what an ops engineer copies never points into a source checkout. The templates stay files (reviewable, the
/// single text of each unit); this class only substitutes their <c>{{NAME}}</c> values, quoted for the reader of
/// each line (systemd, a POSIX shell under cron, PowerShell on Windows), and drops their <c>##</c> lines.
/// </summary>
public static class ScheduleTemplates
{
    public const string ScriptsFolder = "scripts";
    public const string LoaderScript = "Invoke-QTicketsLoader.ps1";
    public const string FreshnessScript = "Test-QTicketsFreshness.ps1";
    public const string ReconcileScript = "Invoke-QTicketsReconcile.ps1";
    public const string DebugProtocolScript = "Invoke-QTicketsDebugProtocol.ps1";
    public const string TaskScript = "Register-QTicketsLoaderTask.ps1";
    public const string ServiceUnit = "qtickets-loader.service";
    public const string TimerUnit = "qtickets-loader.timer";
    public const string CronTemplate = "qtickets-loader.cron";
    public const string SystemdDirectory = "/etc/systemd/system";

    static readonly Regex Placeholder = new(@"\{\{([A-Z_]+)\}\}", RegexOptions.CultureInvariant);
    static readonly Regex UserName = new(@"^[a-z_][a-z0-9_-]{0,31}$", RegexOptions.CultureInvariant);
    static readonly string[] HomeRoots = { "/home/", "/root/", "/run/user/" };

    /// <summary>The entries of the given kinds (all when none), in a fixed order: systemd, cron, Task Scheduler, scripts.</summary>
    public static IReadOnlyList<ScheduleFile> Render(ScheduleSettings settings, IReadOnlyCollection<ScheduleKind>? kinds = null)
    {
        Validate(settings);
        bool Wanted(ScheduleKind k) => kinds is null || kinds.Count == 0 || kinds.Contains(k);
        var scripts = Path.Combine(settings.ModuleDirectory, ScriptsFolder);
        var loader = Existing(scripts, LoaderScript);
        var files = new List<ScheduleFile>();
        if (Wanted(ScheduleKind.Systemd))
        {
            var service = Fill(Template(scripts, "systemd", ServiceUnit), ServiceUnit, name => name switch
            {
                "PWSH" => SystemdWord(settings.PwshPath),
                "LOADER" => SystemdWord(loader),
                "ENV_FILE" => SystemdPath(settings.EnvFile),
                "USER" => settings.User,
                "PROTECT_HOME" => UnderHome(settings.ModuleDirectory) || UnderHome(settings.EnvFile) || UnderHome(settings.PwshPath) ? "read-only" : "yes",
                _ => null,
            });
            var timer = Fill(Template(scripts, "systemd", TimerUnit), TimerUnit, _ => null);
            const string enable = "then as root: systemctl daemon-reload && systemctl enable --now " + TimerUnit;
            files.Add(new ScheduleFile(ScheduleKind.Systemd, ServiceUnit, SystemdDirectory + "/" + ServiceUnit, service,
                $"Write it to {SystemdDirectory}/{ServiceUnit} together with {TimerUnit}, {enable}."));
            files.Add(new ScheduleFile(ScheduleKind.Systemd, TimerUnit, SystemdDirectory + "/" + TimerUnit, timer,
                $"Write it to {SystemdDirectory}/{TimerUnit} together with {ServiceUnit}, {enable}."));
        }
        if (Wanted(ScheduleKind.Cron))
        {
            var line = Fill(Template(scripts, CronTemplate), CronTemplate, name => name switch
            {
                "PWSH" => CronWord(settings.PwshPath),
                "LOADER" => CronWord(loader),
                "ENV_FILE" => CronWord(settings.EnvFile),
                "LOG_FILE" => CronWord(settings.LogFile),
                _ => null,
            });
            files.Add(new ScheduleFile(ScheduleKind.Cron, CronTemplate, null, line,
                $"Add these lines with 'crontab -e' as the account that runs the load; it must be able to write {settings.LogFile}."));
        }
        if (Wanted(ScheduleKind.TaskScheduler))
        {
            var task = Existing(scripts, TaskScript);
            files.Add(new ScheduleFile(ScheduleKind.TaskScheduler, TaskScript, task,
                Command(settings, task, "-EnvFile", settings.EnvFile),
                "Run this command once in an elevated pwsh on the Windows machine: it registers a task every 15 minutes."));
        }
        if (Wanted(ScheduleKind.Script))
        {
            var freshness = Existing(scripts, FreshnessScript);
            files.Add(new ScheduleFile(ScheduleKind.Script, LoaderScript, loader, Command(settings, loader, "-EnvFile", settings.EnvFile),
                "One scheduled load now: two lines on stdout, the exit code says how it went (README, exit codes)."));
            files.Add(new ScheduleFile(ScheduleKind.Script, FreshnessScript, freshness, Command(settings, freshness, "-EnvFile", settings.EnvFile),
                "The monitoring check: exits 0 when the data is fresh, 1 past a threshold; give it the reader's env file."));
            var reconcile = Existing(scripts, ReconcileScript);
            files.Add(new ScheduleFile(ScheduleKind.Script, ReconcileScript, reconcile, Command(settings, reconcile, "-EnvFile", settings.EnvFile, "-Days", "7"),
                "Compares the last 7 days with the API: exit 7 on drift; add -Repair to reload the days that differ."));
            var debug = Existing(scripts, DebugProtocolScript);
            files.Add(new ScheduleFile(ScheduleKind.Script, DebugProtocolScript, debug,
                Command(settings, debug, "-EnvFile", settings.EnvFile, "-OutputDir", "qtickets_debug"),
                "When the API seems to return no sales: writes every request and answer, a verdict and a support-ticket draft to ./qtickets_debug."));
        }
        return files;
    }

    static void Validate(ScheduleSettings s)
    {
        foreach (var (name, value) in new[] { ("module folder", s.ModuleDirectory), ("pwsh path", s.PwshPath), ("env file", s.EnvFile), ("log file", s.LogFile) })
        {
            if (string.IsNullOrWhiteSpace(value))
                throw new ArgumentException($"The {name} is empty: give a full path.");
            if (value.Any(char.IsControl))
                throw new ArgumentException($"The {name} '{value.Replace("\n", "\\n", StringComparison.Ordinal)}' contains a control character (a line break?): give the path on one line.");
            if (!FullyQualified(value) && !(name == "pwsh path" && !value.Contains('/') && !value.Contains('\\')))
                throw new ArgumentException($"The {name} '{value}' is relative: a scheduler starts from another folder, so give a full path.");
        }
        if (!s.Windows && !UserName.IsMatch(s.User))
            throw new ArgumentException($"'{s.User}' is not a valid Linux account name for systemd's User=: use lower-case letters, digits, '_' and '-', starting with a letter or '_'.");
    }

    // Judged as the target machine reads it, not as this one would: a schedule for Windows can be made on Linux.
    static bool FullyQualified(string path) =>
        path.StartsWith('/') || path.StartsWith(@"\\", StringComparison.Ordinal) ||
        (path.Length > 2 && char.IsAsciiLetter(path[0]) && path[1] == ':' && path[2] is '\\' or '/');

    static string Existing(string scripts, string name)
    {
        var path = Path.Combine(scripts, name);
        if (!File.Exists(path)) throw Incomplete(path);
        return path;
    }

    static string Template(string scripts, params string[] parts) => File.ReadAllText(Existing(scripts, Path.Combine(parts)));

    static FileNotFoundException Incomplete(string path) => new(
        $"The module folder has no {path}: the installation is incomplete. Install the module again " +
        "(Install-PSResource QTickets -Reinstall, or copy the whole versioned module folder).", path);

    static string Fill(string template, string templateName, Func<string, string?> value)
    {
        var text = new StringBuilder();
        foreach (var line in template.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            if (line.StartsWith("##", StringComparison.Ordinal)) continue;
            text.Append(Placeholder.Replace(line, m => value(m.Groups[1].Value)
                ?? throw new InvalidOperationException($"The template {templateName} names {{{{{m.Groups[1].Value}}}}}, which nothing fills in: the template and the module do not match; install the module again.")));
            text.Append('\n');
        }
        return text.ToString().TrimEnd('\n') + "\n";
    }

    static bool UnderHome(string path) => HomeRoots.Any(root => path.StartsWith(root, StringComparison.Ordinal));

    // systemd splits ExecStart= at white space unless quoted, expands %-specifiers and $VARIABLES: a path keeps its
    // characters only with % and $ doubled and, when it has white space, double quotes around it.
    static string SystemdWord(string path)
    {
        if (path.Contains('"') || path.Contains('\\'))
            throw new ArgumentException($"The path '{path}' contains a quote or a backslash, which systemd's ExecStart= would misread: install under a plainer path.");
        var escaped = path.Replace("%", "%%", StringComparison.Ordinal).Replace("$", "$$", StringComparison.Ordinal);
        return path.Any(char.IsWhiteSpace) ? "\"" + escaped + "\"" : escaped;
    }

    // EnvironmentFile= takes the rest of the line as one path; only %-specifiers are expanded in it.
    static string SystemdPath(string path) => path.Replace("%", "%%", StringComparison.Ordinal);

    // cron hands the line to /bin/sh and reads an unescaped % as a line break.
    static string CronWord(string path) => PosixWord(path).Replace("%", "\\%", StringComparison.Ordinal);

    static string PosixWord(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "/._-+:=,@".Contains(c))
            ? word
            : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    static string WindowsWord(string word) =>
        word.Length > 0 && !word.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"' or '&' or ';' or '(' or ')' or '$' or '`')
            ? word
            : "'" + word.Replace("'", "''", StringComparison.Ordinal) + "'";

    static string Command(ScheduleSettings s, string script, params string[] args)
    {
        Func<string, string> quote = s.Windows ? WindowsWord : PosixWord;
        // In pwsh on Windows a quoted executable path needs the call operator.
        var pwsh = quote(s.PwshPath);
        var start = s.Windows && pwsh.StartsWith('\'') ? "& " + pwsh : pwsh;
        return string.Join(' ', new[] { start, "-NoProfile", "-File", quote(script) }.Concat(args.Select(quote)));
    }
}
