using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using QTickets.Core.Diagnostics;

namespace QTickets.Cmdlets.Diagnostics;

/// <summary>Completes Test-QTicketsEndpoint -Step with the protocol's step ids; the tooltip is the hypothesis.</summary>
public sealed class ProbeStepCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var prefix = (wordToComplete ?? "").Trim('\'', '"');
        return ProbeCatalog.Ids
            .Where(id => id.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(id => new CompletionResult(id, id, CompletionResultType.ParameterValue, ProbeCatalog.HypothesisOf(id)));
    }
}
