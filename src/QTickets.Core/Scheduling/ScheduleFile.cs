namespace QTickets.Core.Scheduling;

/// <summary>
/// One thing to put on a machine so the installed module runs on its own: a systemd unit, a crontab line, a
/// command. <see cref="Content"/> holds the installed paths, so it is right for this installation only.
/// </summary>
public sealed class ScheduleFile(ScheduleKind kind, string name, string? path, string content, string install)
{
    public ScheduleKind Kind { get; } = kind;

    /// <summary>The unit's or script's file name.</summary>
    public string Name { get; } = name;

    /// <summary>Where the file goes (systemd units), or where the script is (scripts); none for a crontab line.</summary>
    public string? Path { get; } = path;

    /// <summary>The file's text, or the command line to run.</summary>
    public string Content { get; } = content;

    /// <summary>What to do with <see cref="Content"/>, in one sentence.</summary>
    public string Install { get; } = install;

    public override string ToString() => Content;
}
