using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Reflection;
using QTickets.Core.Contracts;

namespace QTickets.Cmdlets.ClickHouse;

/// <summary>Completes -Table with the QTickets tables (<see cref="KnownTables"/>); any other table still binds.</summary>
public sealed class TableNameCompleter : IArgumentCompleter
{
    // Every name KnownTables declares, so a table added there completes without touching this file; but not the
    // legacy clients table, which stays empty: customers' personal data never goes to ClickHouse.
    static readonly string[] s_tables = typeof(KnownTables).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .Where(t => t != KnownTables.Clients)
        .Order(StringComparer.Ordinal)
        .ToArray();

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var prefix = (wordToComplete ?? "").Trim('\'', '"');
        return s_tables
            .Where(t => t.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(t => new CompletionResult(t, t, CompletionResultType.ParameterValue, t));
    }
}
