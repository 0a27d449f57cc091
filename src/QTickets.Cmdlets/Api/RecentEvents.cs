using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using QEvent = QTickets.Core.Model.Event;

namespace QTickets.Cmdlets.Api;

/// <summary>
/// The events the last Get-QTicketsEvent of a session returned (ids and names only), for completing event ids.
/// One list per runspace, replaced by each Get-QTicketsEvent that returned something; gone with the runspace.
/// </summary>
public static class RecentEvents
{
    const int Limit = 500;
    static readonly ConditionalWeakTable<Runspace, IReadOnlyList<(long Id, string Name)>> s_bySession = new();

    public static void Remember(IEnumerable<QEvent> events)
    {
        if (Runspace.DefaultRunspace is not { } session) return;
        var list = events.Take(Limit).Select(e => (e.Id, e.Name)).ToList();
        if (list.Count > 0) s_bySession.AddOrUpdate(session, list);
    }

    public static IReadOnlyList<(long Id, string Name)> Current =>
        Runspace.DefaultRunspace is { } session && s_bySession.TryGetValue(session, out var list) ? list : Array.Empty<(long, string)>();
}
