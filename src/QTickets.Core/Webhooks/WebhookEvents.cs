using System.Collections.Concurrent;
using QTickets.Core.Contracts;
using QTickets.Core.Model;

namespace QTickets.Core.Webhooks;

/// <summary>
/// The events a delivered order names, from the API (`/events/{id}`), each fetched once and kept for
/// <see cref="Lifetime"/>: a delivery carries the order but not its event's city, and the dashboards join on it.
/// The scheduled load reads every event on each run, so a renamed city reaches webhook rows within that time too.
/// An id the API does not know is remembered as unknown for a minute (such orders are rejected, as the loader
/// rejects them). Failures other than 404 propagate: the delivery gets 503 and QTickets retries it.
/// </summary>
public sealed class WebhookEvents(IQTicketsApi api, TimeProvider? time = null)
{
    readonly TimeProvider _time = time ?? TimeProvider.System;
    readonly ConcurrentDictionary<long, (Event? Event, DateTimeOffset Until)> _cache = new();
    readonly ConcurrentDictionary<long, Lazy<Task<Event?>>> _inFlight = new();

    public TimeSpan Lifetime { get; init; } = TimeSpan.FromMinutes(15);

    public async Task<Event?> GetAsync(long id, CancellationToken cancellation)
    {
        if (id <= 0) return null;
        if (_cache.TryGetValue(id, out var hit) && hit.Until > _time.GetUtcNow()) return hit.Event;
        // One request per id however many deliveries name it at once.
        var fetch = _inFlight.GetOrAdd(id, k => new Lazy<Task<Event?>>(() => FetchAsync(k, cancellation)));
        try { return await fetch.Value.WaitAsync(cancellation).ConfigureAwait(false); }
        finally { _inFlight.TryRemove(new KeyValuePair<long, Lazy<Task<Event?>>>(id, fetch)); }
    }

    async Task<Event?> FetchAsync(long id, CancellationToken cancellation)
    {
        Event? ev;
        TimeSpan keep;
        try
        {
            ev = await api.GetEventAsync(id, cancellation).ConfigureAwait(false);
            keep = Lifetime;
        }
        catch (QTicketsNotFoundException)
        {
            ev = null;
            keep = TimeSpan.FromMinutes(1);
        }
        _cache[id] = (ev, _time.GetUtcNow() + keep);
        return ev;
    }
}
