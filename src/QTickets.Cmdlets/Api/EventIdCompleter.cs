using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Language;

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
