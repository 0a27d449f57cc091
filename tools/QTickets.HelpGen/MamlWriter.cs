using System.Management.Automation;
using System.Xml;

namespace QTickets.HelpGen;

/// <summary>Writes MAML as Get-Help reads it (the shape platyPS produces for binary modules).</summary>
public static class MamlWriter
{
    const string Msh = "http://msh";
    const string Maml = "http://schemas.microsoft.com/maml/2004/10";
    const string Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    const string Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    public static void Write(IEnumerable<(CommandMetadataView Cmdlet, CommandHelpDoc? Doc)> commands, string path, OnlineHelp? online)
    {
        var settings = new XmlWriterSettings { Indent = true, Encoding = new System.Text.UTF8Encoding(false) };
        using var w = XmlWriter.Create(path, settings);
        w.WriteStartDocument();
        w.WriteStartElement("helpItems", Msh);
        w.WriteAttributeString("schema", "maml");
        foreach (var (cmdlet, doc) in commands) WriteCommand(w, cmdlet, doc, online);
        w.WriteEndElement();
        w.WriteEndDocument();
    }

    static void WriteCommand(XmlWriter w, CommandMetadataView cmdlet, CommandHelpDoc? doc, OnlineHelp? online)
    {
        w.WriteStartElement("command", "command", Command);
        w.WriteAttributeString("xmlns", "maml", null, Maml);
        w.WriteAttributeString("xmlns", "command", null, Command);
        w.WriteAttributeString("xmlns", "dev", null, Dev);

        w.WriteStartElement("command", "details", Command);
        w.WriteElementString("command", "name", Command, cmdlet.Name);
        w.WriteElementString("command", "verb", Command, cmdlet.Verb);
        w.WriteElementString("command", "noun", Command, cmdlet.Noun);
        Description(w, doc?.Synopsis ?? "");
        w.WriteEndElement();

        Description(w, doc?.Description ?? "");

        w.WriteStartElement("command", "syntax", Command);
        foreach (var set in cmdlet.Syntax)
        {
            w.WriteStartElement("command", "syntaxItem", Command);
            w.WriteElementString("maml", "name", Maml, cmdlet.Name);
            foreach (var (p, mandatory, position) in set.Parameters)
                Parameter(w, p, DescriptionOf(doc, p.Name), mandatory, position, inSyntax: true);
            w.WriteEndElement();
        }
        w.WriteEndElement();

        w.WriteStartElement("command", "parameters", Command);
        // The markdown's order (the author's: most useful first); parameters it does not describe go last.
        var documented = doc?.Parameters.Keys.ToList() ?? new List<string>();
        foreach (var p in cmdlet.Parameters.OrderBy(p => documented.FindIndex(d => d.Equals(p.Name, StringComparison.OrdinalIgnoreCase)) is var i and >= 0 ? i : int.MaxValue))
            Parameter(w, p, DescriptionOf(doc, p.Name), p.MandatoryInAnySet, p.Position, inSyntax: false);
        w.WriteEndElement();

        Types(w, "inputTypes", "inputType", doc?.Inputs is { Count: > 0 } inputs ? inputs : InputsOf(cmdlet));
        Types(w, "returnValues", "returnValue", doc?.Outputs is { Count: > 0 } outputs ? outputs
            : cmdlet.OutputTypes.Select(t => new HelpTypeEntry(t.FullName!, "")).ToList());

        if (!string.IsNullOrWhiteSpace(doc?.Notes))
        {
            w.WriteStartElement("maml", "alertSet", Maml);
            w.WriteStartElement("maml", "alert", Maml);
            Paras(w, doc.Notes);
            w.WriteEndElement();
            w.WriteEndElement();
        }

        w.WriteStartElement("command", "examples", Command);
        var n = 0;
        foreach (var example in doc?.Examples ?? Array.Empty<HelpExample>())
        {
            n++;
            w.WriteStartElement("command", "example", Command);
            w.WriteElementString("maml", "title", Maml, $"--------- Example {n}: {example.Title} ---------");
            w.WriteElementString("dev", "code", Dev, example.Code);
            w.WriteStartElement("dev", "remarks", Dev);
            Paras(w, example.Remarks);
            w.WriteEndElement();
            w.WriteEndElement();
        }
        w.WriteEndElement();

        w.WriteStartElement("command", "relatedLinks", Command);
        var links = doc?.Links ?? Array.Empty<HelpLink>();
        // First: Get-Help -Online opens the first link with a URI (the cmdlets declare no HelpUri of their own).
        if (online is not null) links = links.Prepend(new HelpLink(OnlineHelp.LinkText, online.PageUri(cmdlet.Name))).ToList();
        foreach (var link in links)
        {
            w.WriteStartElement("maml", "navigationLink", Maml);
            w.WriteElementString("maml", "linkText", Maml, link.Text);
            w.WriteElementString("maml", "uri", Maml, link.Uri ?? "");
            w.WriteEndElement();
        }
        w.WriteEndElement();

        w.WriteEndElement();
    }

    static string DescriptionOf(CommandHelpDoc? doc, string parameter) =>
        doc is not null && doc.Parameters.TryGetValue(parameter, out var text) ? text
        : parameter switch
        {
            "WhatIf" => "Shows what would happen if the cmdlet runs. The cmdlet is not run.",
            "Confirm" => "Prompts you for confirmation before running the cmdlet.",
            _ => "",
        };

    static List<HelpTypeEntry> InputsOf(CommandMetadataView cmdlet)
    {
        var piped = cmdlet.Parameters.Where(p => p.ByValue || p.ByPropertyName).Select(p => new HelpTypeEntry(p.Type.FullName!, "")).ToList();
        return piped.Count > 0 ? piped : new List<HelpTypeEntry> { new("None", "This cmdlet takes no pipeline input.") };
    }

    static void Parameter(XmlWriter w, ParameterView p, string description, bool required, string position, bool inSyntax)
    {
        w.WriteStartElement("command", "parameter", Command);
        w.WriteAttributeString("required", required ? "true" : "false");
        w.WriteAttributeString("variableLength", p.Type.IsArray ? "true" : "false");
        w.WriteAttributeString("globbing", "false");
        w.WriteAttributeString("pipelineInput", p.PipelineInput);
        w.WriteAttributeString("position", position);
        w.WriteAttributeString("aliases", p.Aliases.Count == 0 ? "none" : string.Join(", ", p.Aliases));
        w.WriteElementString("maml", "name", Maml, p.Name);
        Description(w, description);
        if (!(inSyntax && p.IsSwitch))
        {
            w.WriteStartElement("command", "parameterValue", Command);
            w.WriteAttributeString("required", p.IsSwitch ? "false" : "true");
            w.WriteAttributeString("variableLength", "false");
            w.WriteString(ShortName(p.Type));
            w.WriteEndElement();
        }
        w.WriteStartElement("dev", "type", Dev);
        w.WriteElementString("maml", "name", Maml, ShortName(p.Type));
        w.WriteElementString("maml", "uri", Maml, "");
        w.WriteEndElement();
        w.WriteElementString("dev", "defaultValue", Dev, p.DefaultValue ?? (p.IsSwitch ? "False" : "None"));
        w.WriteEndElement();
    }

    /// <summary>The type as PowerShell users write it: [string[]], [DateTimeOffset], [Order[]].</summary>
    internal static string ShortName(Type type)
    {
        if (type.IsArray) return ShortName(type.GetElementType()!) + "[]";
        if (Nullable.GetUnderlyingType(type) is { } inner) return ShortName(inner);
        if (type == typeof(SwitchParameter)) return "SwitchParameter";
        return type.Namespace is "System" or "System.Collections" or "System.Management.Automation" ? type.Name : type.FullName ?? type.Name;
    }

    static void Types(XmlWriter w, string outer, string inner, IEnumerable<HelpTypeEntry> types)
    {
        w.WriteStartElement("command", outer, Command);
        foreach (var t in types)
        {
            w.WriteStartElement("command", inner, Command);
            w.WriteStartElement("dev", "type", Dev);
            w.WriteElementString("maml", "name", Maml, t.TypeName);
            w.WriteEndElement();
            Description(w, t.Description);
            w.WriteEndElement();
        }
        w.WriteEndElement();
    }

    static void Description(XmlWriter w, string text)
    {
        w.WriteStartElement("maml", "description", Maml);
        Paras(w, text);
        w.WriteEndElement();
    }

    static void Paras(XmlWriter w, string text)
    {
        foreach (var para in Markdown.Paragraphs(text)) w.WriteElementString("maml", "para", Maml, para);
    }
}
