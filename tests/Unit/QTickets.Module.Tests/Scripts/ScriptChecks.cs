using System.Management.Automation.Language;
using QTickets.Module.Tests.Harness;

namespace QTickets.Module.Tests.Scripts;

/// <summary>
/// Static checks of the repository's PowerShell files with the real PowerShell 7.6 parser (no pwsh, no Pester
/// needed). Each check returns problems as "file:line: what is wrong", file relative to the repository root.
/// </summary>
public static class ScriptChecks
{
    public static string Root => ModuleLayout.RepoRoot;

    public static string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');

    static IEnumerable<string> Files(string dir, params string[] patterns) =>
        patterns.SelectMany(p => Directory.Exists(dir) ? Directory.GetFiles(dir, p) : []).Order(StringComparer.Ordinal);

    public static string PesterDir => Path.Combine(Root, "tests", "Pester");

    /// <summary>tests/Pester/*.ps1 and *.psm1: the test files, the runner and the support module.</summary>
    public static IReadOnlyList<string> PesterFiles => Files(PesterDir, "*.ps1", "*.psm1").ToList();

    public static IReadOnlyList<string> PesterTestFiles => Files(PesterDir, "*.Tests.ps1").ToList();

    public static string TestSupportModule => Path.Combine(PesterDir, "QTickets.TestSupport.psm1");

    public static IReadOnlyList<string> Scripts => Files(Path.Combine(Root, "scripts"), "*.ps1").ToList();

    /// <summary>build/*.ps1 and build.ps1.</summary>
    public static IReadOnlyList<string> BuildScripts =>
        Files(Path.Combine(Root, "build"), "*.ps1").Append(Path.Combine(Root, "build.ps1")).Where(File.Exists).ToList();

    public static string Where(string file, IScriptExtent extent) => $"{file}:{extent.StartLineNumber}";

    static string Excerpt(Ast ast)
    {
        var text = ast.Extent.Text.ReplaceLineEndings(" ");
        return text.Length <= 60 ? text : text[..57] + "...";
    }

    // ------------------------------------------------------------------------------------------------ (a) parse

    /// <summary>Parses a file; its syntax errors are added to <paramref name="problems"/>.</summary>
    public static ScriptBlockAst ParseFile(string path, List<string> problems)
    {
        var ast = Parser.ParseFile(path, out _, out var errors);
        var file = Relative(path);
        foreach (var e in errors)
            problems.Add($"{file}:{e.Extent.StartLineNumber}:{e.Extent.StartColumnNumber}: parse error {e.ErrorId}: {e.Message}");
        return ast;
    }

    public static ScriptBlockAst ParseText(string text, List<string> problems, string name = "sample.ps1")
    {
        var ast = Parser.ParseInput(text, out _, out var errors);
        foreach (var e in errors)
            problems.Add($"{name}:{e.Extent.StartLineNumber}:{e.Extent.StartColumnNumber}: parse error {e.ErrorId}: {e.Message}");
        return ast;
    }

    public static IEnumerable<CommandAst> Commands(Ast ast) => ast.FindAll(a => a is CommandAst, true).Cast<CommandAst>();

    // ------------------------------------------------------------------------------------------------ (b) Pester 5

    /// <summary>What may stand at the top level of a *.Tests.ps1 file. BeforeAll/AfterAll there belong to the file's
    /// own block (Pester 5 runs them in the Run phase, once for the file); anything else runs at discovery.</summary>
    static readonly HashSet<string> TopLevelCommands = new(StringComparer.OrdinalIgnoreCase) { "BeforeDiscovery", "BeforeAll", "AfterAll", "Describe" };

    /// <summary>What may stand in the body of a Describe or Context: the rest runs at discovery, before any BeforeAll.</summary>
    static readonly HashSet<string> BlockCommands = new(StringComparer.OrdinalIgnoreCase)
        { "BeforeAll", "AfterAll", "BeforeEach", "AfterEach", "Describe", "Context", "It" };

    static readonly HashSet<string> NeedsScriptBlock = new(StringComparer.OrdinalIgnoreCase)
        { "Describe", "Context", "It", "BeforeAll", "AfterAll", "BeforeEach", "AfterEach", "BeforeDiscovery" };

    static readonly HashSet<string> Pester4Only = new(StringComparer.OrdinalIgnoreCase)
        { "Assert-MockCalled", "Assert-VerifiableMock", "Assert-VerifiableMocks" };

    /// <summary>Parameters of Describe/Context/It whose values Pester 5 evaluates at discovery.</summary>
    static readonly HashSet<string> DiscoveryParameters = new(StringComparer.OrdinalIgnoreCase) { "ForEach", "TestCases", "Skip" };

    static readonly HashSet<string> AlwaysDefined = new(StringComparer.OrdinalIgnoreCase)
        { "true", "false", "null", "PSScriptRoot", "PSCommandPath", "IsWindows", "IsLinux", "IsMacOS", "PSVersionTable", "_" };

    public static List<string> PesterProblems(string file, ScriptBlockAst ast, bool isTestFile)
    {
        var problems = new List<string>();
        foreach (var cmd in Commands(ast))
        {
            var name = cmd.GetCommandName();
            if (name is null) continue;
            if (name.Equals("Should", StringComparison.OrdinalIgnoreCase))
            {
                if (cmd.CommandElements.Count < 2)
                    problems.Add($"{Where(file, cmd.Extent)}: 'Should' without an operator (Pester 5: Should -Be ..., Should -BeTrue, ...)");
                else if (cmd.CommandElements[1] is not CommandParameterAst)
                    problems.Add($"{Where(file, cmd.Extent)}: '{Excerpt(cmd)}' is Pester 4 syntax: the operator needs a dash (Should -Be, not Should Be)");
            }
            else if (Pester4Only.Contains(name))
                problems.Add($"{Where(file, cmd.Extent)}: {name} is Pester 4; use Should -Invoke / Should -InvokeVerifiable");
            else if (NeedsScriptBlock.Contains(name))
            {
                var body = Body(cmd);
                if (body is null)
                    problems.Add($"{Where(file, cmd.Extent)}: {name} '{Title(cmd)}' has no script block body");
                else if (name.Equals("Describe", StringComparison.OrdinalIgnoreCase) || name.Equals("Context", StringComparison.OrdinalIgnoreCase))
                    problems.AddRange(DiscoveryCode(file, body.ScriptBlock, BlockCommands,
                        $"in the body of {name} '{Title(cmd)}' runs at discovery, not before its tests: move it into BeforeAll (or BeforeDiscovery for -ForEach data)"));
            }
        }
        if (isTestFile)
        {
            problems.AddRange(DiscoveryCode(file, ast, TopLevelCommands,
                "at the top level of a test file runs at discovery: move it into BeforeAll (or BeforeDiscovery for -ForEach data)"));
            problems.AddRange(DiscoveryData(file, ast));
        }
        return problems;
    }

    static ScriptBlockExpressionAst? Body(CommandAst cmd) =>
        cmd.CommandElements.Skip(1).Select(e => e switch
        {
            ScriptBlockExpressionAst sb => sb,
            CommandParameterAst { Argument: ScriptBlockExpressionAst sb } => sb,
            _ => null,
        }).LastOrDefault(e => e is not null);

    static string Title(CommandAst cmd) =>
        cmd.CommandElements.Skip(1).OfType<StringConstantExpressionAst>().FirstOrDefault()?.Value
        ?? cmd.CommandElements.Skip(1).OfType<ExpandableStringExpressionAst>().FirstOrDefault()?.Value ?? "";

    /// <summary>Statements of a script block other than calls of the allowed Pester commands (param and using are fine).</summary>
    static IEnumerable<string> DiscoveryCode(string file, ScriptBlockAst block, HashSet<string> allowed, string what)
    {
        var statements = new List<StatementAst>();
        foreach (var named in new[] { block.DynamicParamBlock, block.BeginBlock, block.ProcessBlock, block.CleanBlock })
            if (named is not null) statements.AddRange(named.Statements);
        if (block.EndBlock is not null) statements.AddRange(block.EndBlock.Statements);
        foreach (var s in statements)
        {
            if (s is PipelineAst { PipelineElements: [CommandAst cmd] } && cmd.GetCommandName() is { } n && allowed.Contains(n)) continue;
            yield return $"{Where(file, s.Extent)}: '{Excerpt(s)}' {what}";
        }
    }

    /// <summary>Variables in -ForEach/-TestCases/-Skip must be set in BeforeDiscovery: BeforeAll has not run yet.</summary>
    static IEnumerable<string> DiscoveryData(string file, ScriptBlockAst ast)
    {
        var assigned = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var cmd in ast.EndBlock?.Statements.OfType<PipelineAst>().SelectMany(p => p.PipelineElements.OfType<CommandAst>()) ?? [])
        {
            if (!string.Equals(cmd.GetCommandName(), "BeforeDiscovery", StringComparison.OrdinalIgnoreCase) || Body(cmd) is not { } body) continue;
            foreach (var a in body.FindAll(x => x is AssignmentStatementAst, true).Cast<AssignmentStatementAst>())
                foreach (var v in a.Left.FindAll(x => x is VariableExpressionAst, true).Cast<VariableExpressionAst>())
                    assigned.Add(v.VariablePath.UserPath.Unqualified());
            foreach (var f in body.FindAll(x => x is ForEachStatementAst, true).Cast<ForEachStatementAst>())
                assigned.Add(f.Variable.VariablePath.UserPath.Unqualified());
        }
        foreach (var cmd in Commands(ast))
        {
            var name = cmd.GetCommandName();
            if (name is null || !(name.Equals("Describe", StringComparison.OrdinalIgnoreCase) || name.Equals("Context", StringComparison.OrdinalIgnoreCase)
                                  || name.Equals("It", StringComparison.OrdinalIgnoreCase))) continue;
            var elements = cmd.CommandElements;
            for (var i = 1; i < elements.Count; i++)
            {
                if (elements[i] is not CommandParameterAst p || !DiscoveryParameters.Contains(p.ParameterName)) continue;
                Ast? value = p.Argument ?? (i + 1 < elements.Count && elements[i + 1] is not CommandParameterAst ? elements[i + 1] : null);
                if (value is null) continue;
                foreach (var v in value.FindAll(x => x is VariableExpressionAst, true).Cast<VariableExpressionAst>())
                {
                    var path = v.VariablePath;
                    if (path.IsDriveQualified || AlwaysDefined.Contains(path.UserPath.Unqualified()) || assigned.Contains(path.UserPath.Unqualified())) continue;
                    yield return $"{Where(file, v.Extent)}: ${path.UserPath} in -{p.ParameterName} of {name} '{Title(cmd)}' is evaluated at discovery but not set in BeforeDiscovery";
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ (c) commands and parameters

    /// <summary>Calls of commands from <paramref name="commands"/> (name -> parameter names and aliases) whose name matches
    /// <paramref name="ours"/>: the command must exist, and every named parameter must be one of its parameters.</summary>
    public static List<string> CommandProblems(string file, ScriptBlockAst ast, IReadOnlyDictionary<string, HashSet<string>> commands,
        Func<string, bool> ours, string source)
    {
        var problems = new List<string>();
        var defined = ast.FindAll(a => a is FunctionDefinitionAst, true).Cast<FunctionDefinitionAst>()
            .Select(f => StripScope(f.Name)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var cmd in Commands(ast))
        {
            var name = cmd.GetCommandName();
            if (name is null || !ours(name) || defined.Contains(name)) continue;
            if (!commands.TryGetValue(name, out var parameters))
            {
                problems.Add($"{Where(file, cmd.Extent)}: {name} is not a command of {source}");
                continue;
            }
            foreach (var p in cmd.CommandElements.OfType<CommandParameterAst>())
                if (!parameters.Contains(p.ParameterName))
                    problems.Add($"{Where(file, p.Extent)}: {name} has no parameter -{p.ParameterName} ({source})");
        }
        return problems;
    }

    static string StripScope(string name) => name.Contains(':') ? name[(name.IndexOf(':') + 1)..] : name;

    /// <summary>'script:x' -> 'x' (VariablePath.UnqualifiedPath is internal).</summary>
    static string Unqualified(this string userPath) => StripScope(userPath);

    // ------------------------------------------------------------------------------------------------ (d) scripts call commands that exist

    /// <summary>Commands a script calls that <paramref name="available"/> lacks, not counting functions the script
    /// defines or gets from the helper scripts it dot-sources (resolved from the literal '*.ps1' in the dot-source).</summary>
    public static List<string> UnavailableCommands(string path, ScriptBlockAst ast, ISet<string> available)
    {
        var problems = new List<string>();
        var file = Relative(path);
        var defined = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        CollectFunctions(path, ast, defined, problems, new HashSet<string>(StringComparer.Ordinal));
        foreach (var cmd in Commands(ast))
        {
            if (cmd.InvocationOperator == TokenKind.Dot) continue; // the dot-sourced helpers, above
            var name = cmd.GetCommandName();
            if (name is null || available.Contains(name) || defined.Contains(name)) continue;
            problems.Add($"{Where(file, cmd.Extent)}: {name} is not a command of pwsh 7.6 with the QTickets module imported");
        }
        return problems;
    }

    static void CollectFunctions(string path, ScriptBlockAst ast, HashSet<string> defined, List<string> problems, HashSet<string> seen)
    {
        if (!seen.Add(Path.GetFullPath(path))) return;
        foreach (var f in ast.FindAll(a => a is FunctionDefinitionAst, true).Cast<FunctionDefinitionAst>())
            defined.Add(StripScope(f.Name));
        foreach (var cmd in Commands(ast).Where(c => c.InvocationOperator == TokenKind.Dot))
        {
            var literal = cmd.CommandElements[0].FindAll(a => a is StringConstantExpressionAst or ExpandableStringExpressionAst, true)
                .Select(s => s is StringConstantExpressionAst c ? c.Value : ((ExpandableStringExpressionAst)s).Value)
                .LastOrDefault(v => v.EndsWith(".ps1", StringComparison.OrdinalIgnoreCase));
            // '<dir>/x.ps1', '$PSScriptRoot/x.ps1', Combine($PSScriptRoot, 'x.ps1'): the helper is x.ps1 next to the script.
            var helper = literal is null ? null
                : Path.Combine(Path.GetDirectoryName(path)!, Path.GetFileName(literal.Replace('\\', '/')));
            if (helper is null)
            {
                problems.Add($"{Where(Relative(path), cmd.Extent)}: cannot tell which script '{Excerpt(cmd)}' dot-sources (name it with a literal '<file>.ps1' next to the script)");
                continue;
            }
            if (!File.Exists(helper))
            {
                problems.Add($"{Where(Relative(path), cmd.Extent)}: '{Excerpt(cmd)}' dot-sources {Relative(helper)}, which does not exist");
                continue;
            }
            CollectFunctions(helper, Parser.ParseFile(helper, out _, out _), defined, problems, seen);
        }
    }
}
