using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace QTickets.Core.Load;

/// <summary>
/// What every scheduled job's summary shares (the load's <see cref="LoadSummary"/>, the reconciliation's
/// ReconcileSummary): identity, status, exit code, timing and the failure, and the one JSON shape scripts print
/// and monitoring parses. Counts and error kinds only: never a secret, never a personal datum.
/// </summary>
public abstract class JobSummary
{
    public string Job { get; init; } = "";
    public Guid RunId { get; init; } = Guid.NewGuid();
    /// <summary>The status as JSON lines and meta_job_runs carry it (<see cref="Load.StatusText"/>).</summary>
    public abstract string StatusText { get; }
    public LoadExitCode ExitCode { get; set; }
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset FinishedAt { get; set; }
    /// <summary>The failure's kind (e.g. ApiUnavailable) and its message, for failed runs.</summary>
    public string ErrorKind { get; set; } = "";
    public string Message { get; set; } = "";

    public TimeSpan Elapsed => FinishedAt - StartedAt;

    /// <summary>The one line a person reads in a cron log.</summary>
    public abstract string HumanLine { get; }

    /// <summary>The summary as one line of JSON (a script's second line).</summary>
    public string ToJson() => Json(w =>
    {
        w.WriteString("job", Job);
        w.WriteString("run_id", RunId);
        w.WriteString("status", StatusText);
        w.WriteNumber("exit_code", (int)ExitCode);
        w.WriteString("started_at", StartedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        w.WriteNumber("elapsed_ms", (long)Elapsed.TotalMilliseconds);
        WriteFigures(w);
        if (ErrorKind.Length > 0) w.WriteString("error_kind", ErrorKind);
        if (Message.Length > 0) w.WriteString("message", Message);
    });

    /// <summary>The meta_job_runs row of this run, its times on <paramref name="clock"/>'s wall.</summary>
    public Contracts.LoadRun ToRun(Transform.WallClock clock, LoadStatus status, ulong rowsProcessed, string message, string metrics) => new()
    {
        Job = Job, RunId = RunId, StartedAt = clock.Of(StartedAt), FinishedAt = clock.Of(FinishedAt), Status = status,
        RowsProcessed = rowsProcessed, Message = message, Metrics = metrics,
    };

    /// <summary>The job's own figures, between the common head and the failure in <see cref="ToJson"/>.</summary>
    protected abstract void WriteFigures(Utf8JsonWriter w);

    public override string ToString() => HumanLine;

    protected static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A JSON array of texts: days as yyyy-MM-dd (<see cref="Day"/>), ids as they are.</summary>
    protected static void WriteArray(Utf8JsonWriter w, string name, IEnumerable<string> items)
    {
        w.WriteStartArray(name);
        foreach (var item in items) w.WriteStringValue(item);
        w.WriteEndArray();
    }

    static readonly JsonWriterOptions s_json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>One JSON object, written by <paramref name="body"/>; Cyrillic stays readable (also the freshness report's line).</summary>
    protected internal static string Json(Action<Utf8JsonWriter> body)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, s_json))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
