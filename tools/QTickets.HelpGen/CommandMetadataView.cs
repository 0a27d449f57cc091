using System.Management.Automation;

namespace QTickets.HelpGen;

/// <summary>One parameter as the engine binds it, merged over the parameter sets it belongs to.</summary>
public sealed record ParameterView(
    string Name, Type Type, bool MandatoryInAnySet, bool MandatoryInEverySet, string Position,
    bool ByValue, bool ByPropertyName, IReadOnlyList<string> Aliases, string? DefaultValue)
{
    public bool IsSwitch => Type == typeof(SwitchParameter);

    public string PipelineInput => (ByValue, ByPropertyName) switch
    {
        (true, true) => "True (ByValue, ByPropertyName)",
        (true, false) => "True (ByValue)",
        (false, true) => "True (ByPropertyName)",
        _ => "False",
    };
}

/// <summary>One syntax line: a parameter set and its parameters in the engine's order.</summary>
public sealed record SyntaxView(string SetName, bool IsDefault, IReadOnlyList<(ParameterView Parameter, bool Mandatory, string Position)> Parameters);

/// <summary>What the compiled cmdlet says about itself: name, parameters, parameter sets, output types.</summary>
public sealed record CommandMetadataView(
    string Name, string Verb, string Noun, IReadOnlyList<ParameterView> Parameters,
    IReadOnlyList<SyntaxView> Syntax, IReadOnlyList<Type> OutputTypes, bool SupportsShouldProcess);
