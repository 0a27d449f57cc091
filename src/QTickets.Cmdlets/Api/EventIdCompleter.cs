using QEvent = QTickets.Core.Model.Event;
using System.Collections;
using System.Globalization;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using System.Management.Automation;
using System.Runtime.CompilerServices;

namespace QTickets.Cmdlets.Api;

/// <summary>
/// Completes event ids (Get-QTicketsEvent -Id, Get-QTicketsInventory -EventId) with the events the last
/// Get-QTicketsEvent of this session returned, matching the id's digits or the event's name; the tooltip is the name.
/// </summary>
public sealed class EventIdCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = (wordToComplete ?? "").Trim('\'', '"');
        return RecentEvents.Current
            .Where(e => e.Id.ToString(CultureInfo.InvariantCulture).StartsWith(word, StringComparison.Ordinal) ||
                        (word.Length > 0 && e.Name.Contains(word, StringComparison.OrdinalIgnoreCase)))
            .Select(e =>
            {
                var id = e.Id.ToString(CultureInfo.InvariantCulture);
                var name = e.Name.Length == 0 ? id : e.Name;
                return new CompletionResult(id, $"{id} {name}", CompletionResultType.ParameterValue, name);
            });
    }
}

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
