namespace QTickets.Core.Load;

/// <summary>
/// The half-open time window [Start, End) a run loads, and why. Payments in the window are loaded, and so are
/// changes (refunds, cancellations) to any order updated since Start.
/// </summary>
public sealed record LoadWindow(DateTimeOffset Start, DateTimeOffset End, string Reason)
{
    /// <summary>
    /// A repair window (<see cref="QTicketsLoader.ReloadDaysAsync"/>): only the orders paid in [Start, End), cancelled
    /// and refunded ones included, and no changes query, so exactly the window's sale days are rewritten.
    /// </summary>
    public bool PaymentsOnly { get; init; }

    /// <summary>A first run's window (the initial backfill): no watermark, or one that cannot be trusted.</summary>
    public bool Backfill { get; init; }

    /// <summary>
    /// -SinceHours forces [now - h, now). Otherwise a stored watermark gives [watermark - lookback, now): the
    /// lookback re-reads recent data into idempotent tables, covering payments the API reports late. With no
    /// watermark (first run on an empty database) the initial backfill applies, and so it does with a watermark
    /// ahead of now: a run on a clock ahead wrote it, and what it loaded up to, by this clock, is unknown.
    /// </summary>
    public static LoadWindow Choose(DateTimeOffset now, DateTimeOffset? watermark, int? forcedSinceHours, int lookbackHours, int initialBackfillHours)
    {
        if (forcedSinceHours is { } forced)
            return new(now.AddHours(-Math.Max(forced, 1)), now, $"forced: the last {forced} h (-SinceHours)");
        if (watermark is { } ahead && ahead > now)
            return new(now.AddHours(-initialBackfillHours), now,
                $"initial backfill: the last {initialBackfillHours} h (the watermark {ahead.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z is ahead of the clock)")
            { Backfill = true };
        if (watermark is { } mark)
            return new(mark.AddHours(-lookbackHours), now, $"incremental: from the watermark {mark.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z minus {lookbackHours} h lookback");
        return new(now.AddHours(-initialBackfillHours), now, $"initial backfill: the last {initialBackfillHours} h (no watermark yet)") { Backfill = true };
    }
}
