using QTickets.Module.Tests.Harness;

namespace QTickets.Module.Tests.Scripts;

/// <summary>
/// What the engine knows about our commands, gathered once: the module's exported cmdlets and the test support
/// module's functions with their parameters (names and aliases), and every command pwsh 7.6 (the one the test command
/// installs) offers a script with the module imported.
/// </summary>
public sealed class ScriptCommandCatalog : IDisposable
{
    readonly PowerShellSession _ps = new();

    public ScriptCommandCatalog()
    {
        Module = Parameters("(Get-Module QTickets).ExportedCmdlets.Values");
        TestSupport = Parameters($"(Import-Module '{ScriptChecks.TestSupportModule.Replace("'", "''")}' -PassThru -Force -ErrorAction Stop).ExportedFunctions.Values");
        // Asked of a real pwsh: its own modules (Utility, Management, PSResourceGet...) plus ours.
        var r = ScriptRunner.Run(["-Command", $"Import-Module '{ModuleLayout.ManifestPath.Replace("'", "''")}'; (Get-Command -CommandType Cmdlet, Function, Alias).Name"]);
        if (r.ExitCode != 0) throw new InvalidOperationException("pwsh could not list its commands: " + r);
        Available = r.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var name in Module.Keys) Available.Add(name);
        _ps.Run("Remove-Module QTickets.TestSupport -ErrorAction SilentlyContinue");
    }

    /// <summary>Exported cmdlets of out/QTickets/QTickets.psd1: name -> parameter names and aliases (common ones included).</summary>
    public IReadOnlyDictionary<string, HashSet<string>> Module { get; }

    /// <summary>Exported functions of tests/Pester/QTickets.TestSupport.psm1, likewise.</summary>
    public IReadOnlyDictionary<string, HashSet<string>> TestSupport { get; }

    public HashSet<string> Available { get; }

    Dictionary<string, HashSet<string>> Parameters(string commands)
    {
        var r = _ps.Run($$"""
            foreach ($c in {{commands}}) {
                foreach ($p in $c.Parameters.Values) {
                    "$($c.Name)`t$($p.Name)"
                    foreach ($a in $p.Aliases) { "$($c.Name)`t$a" }
                }
            }
            """);
        if (r.Terminating is not null) throw r.Terminating;
        if (r.Errors.Count > 0) throw new InvalidOperationException(r.Errors[0].ToString());
        var map = new Dictionary<string, HashSet<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in r.Output.Select(o => o.ToString()))
        {
            var parts = line.Split('\t');
            if (!map.TryGetValue(parts[0], out var set)) map[parts[0]] = set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            set.Add(parts[1]);
        }
        return map;
    }

    public void Dispose() => _ps.Dispose();
}

/// <summary>
/// Static checks of tests/Pester, scripts/ and build/ (the real PowerShell 7.6 parser, the engine's view of the
/// module): every script and test file parses, calls commands and parameters that exist, and dot-sources helpers
/// that exist, including in branches no test reaches.
/// </summary>
public sealed class ScriptStaticTests(ScriptCommandCatalog catalog) : IClassFixture<ScriptCommandCatalog>
{
    static void AssertNone(List<string> problems, string what) =>
        Assert.True(problems.Count == 0, $"{what}:\n" + string.Join("\n", problems));

    // ------------------------------------------------------------------------------------------------ (a)

    [Fact]
    public void Every_PowerShell_file_parses()
    {
        var files = ScriptChecks.PesterFiles.Concat(ScriptChecks.Scripts).Concat(ScriptChecks.BuildScripts).ToList();
        Assert.True(ScriptChecks.PesterTestFiles.Count >= 7, $"only {ScriptChecks.PesterTestFiles.Count} Pester test files found");
        Assert.Contains(ScriptChecks.TestSupportModule, files);
        Assert.True(ScriptChecks.Scripts.Count >= 5, $"only {ScriptChecks.Scripts.Count} scripts found");
        Assert.Contains(Path.Combine(ScriptChecks.Root, "build.ps1"), files);
        var problems = new List<string>();
        foreach (var f in files) ScriptChecks.ParseFile(f, problems);
        AssertNone(problems, "PowerShell 7.6 cannot parse");
    }

    // ------------------------------------------------------------------------------------------------ (b)

    [Fact]
    public void The_Pester_files_are_Pester_5()
    {
        var problems = new List<string>();
        foreach (var f in ScriptChecks.PesterFiles)
        {
            var ast = ScriptChecks.ParseFile(f, problems);
            problems.AddRange(ScriptChecks.PesterProblems(ScriptChecks.Relative(f), ast, f.EndsWith(".Tests.ps1", StringComparison.Ordinal)));
        }
        AssertNone(problems, "Not Pester 5 (or code that runs at discovery)");
    }

    [Fact]
    public void The_Pester_check_finds_Pester_4_syntax_and_discovery_time_code()
    {
        var ast = ScriptChecks.ParseText("""
            $repo = 'x'
            BeforeAll { Import-Module x }
            Describe 'd' {
                $shared = 1
                It 'old' { 1 | Should Be 1 }
                It 'new' { 1 | Should -Be 1; Assert-MockCalled Get-Thing -Times 1 }
                It 'case <n>' -ForEach $cases { $n | Should -Not -BeNullOrEmpty }
                It 'empty'
                Context 'c' { It 'bare' { Should } }
            }
            """, new List<string>());
        var problems = ScriptChecks.PesterProblems("sample.Tests.ps1", ast, isTestFile: true);
        Assert.Contains(problems, p => p.StartsWith("sample.Tests.ps1:1: '$repo = 'x'' at the top level", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("sample.Tests.ps1:4: '$shared = 1' in the body of Describe 'd' runs at discovery", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("sample.Tests.ps1:5: 'Should Be 1' is Pester 4 syntax", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("sample.Tests.ps1:6: Assert-MockCalled is Pester 4", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("sample.Tests.ps1:7: $cases in -ForEach of It 'case <n>' is evaluated at discovery", StringComparison.Ordinal));
        Assert.Contains("sample.Tests.ps1:8: It 'empty' has no script block body", problems);
        Assert.Contains(problems, p => p.StartsWith("sample.Tests.ps1:9: 'Should' without an operator", StringComparison.Ordinal));
        Assert.Equal(7, problems.Count);

        var fine = ScriptChecks.ParseText("""
            param([string] $Only)
            BeforeDiscovery { $cases = @(@{ n = 1 }) }
            BeforeAll { $script:x = 1 }
            AfterAll { }
            Describe 'd' -Skip:(-not $env:FLAG) {
                BeforeEach { }
                It 'case <n>' -ForEach $cases { $n | Should -Not -BeNullOrEmpty }
            }
            """, new List<string>());
        Assert.Empty(ScriptChecks.PesterProblems("fine.Tests.ps1", fine, isTestFile: true));
    }

    // ------------------------------------------------------------------------------------------------ (c)

    static bool IsModuleCommand(string name) => name.Contains("-QTickets", StringComparison.OrdinalIgnoreCase);

    [Fact]
    public void The_Pester_files_and_scripts_call_only_cmdlets_and_parameters_the_module_exports()
    {
        Assert.True(catalog.Module.Count >= 12, $"only {catalog.Module.Count} cmdlets exported");
        var problems = new List<string>();
        var calls = 0;
        foreach (var f in ScriptChecks.PesterFiles.Concat(ScriptChecks.Scripts))
        {
            var ast = ScriptChecks.ParseFile(f, problems);
            calls += ScriptChecks.Commands(ast).Count(c => c.GetCommandName() is { } n && IsModuleCommand(n));
            problems.AddRange(ScriptChecks.CommandProblems(ScriptChecks.Relative(f), ast, catalog.Module, IsModuleCommand, "out/QTickets/QTickets.psd1"));
        }
        Assert.True(calls > 50, $"only {calls} calls of the module's cmdlets found: is the walk broken?");
        AssertNone(problems, "Commands or parameters the module does not have");
    }

    /// <summary>The support module's functions are Verb-Test*: a misspelt one, or a parameter it lacks, fails
    /// only when Pester runs (not here), so the names are checked against the module itself.</summary>
    [Fact]
    public void The_Pester_files_call_only_functions_and_parameters_the_support_module_exports()
    {
        Assert.Contains("Start-TestSandbox", catalog.TestSupport.Keys);
        static bool IsSupport(string name) => System.Text.RegularExpressions.Regex.IsMatch(name, "^[A-Za-z]+-Test[A-Z]");
        var problems = new List<string>();
        foreach (var f in ScriptChecks.PesterFiles)
        {
            var ast = ScriptChecks.ParseFile(f, problems);
            problems.AddRange(ScriptChecks.CommandProblems(ScriptChecks.Relative(f), ast, catalog.TestSupport, IsSupport, "tests/Pester/QTickets.TestSupport.psm1"));
        }
        AssertNone(problems, "Functions or parameters the support module does not have");
    }

    [Fact]
    public void The_command_check_finds_an_unknown_cmdlet_and_parameter()
    {
        var ast = ScriptChecks.ParseText("""
            Get-QTicketsOrder -Id 1 -OrderId 2 -ErrorAction Stop -NoSuchThing
            Get-QTicketsNothing -Id 1
            function Get-QTicketsLocal { }
            Get-QTicketsLocal -Anything
            """, new List<string>());
        var problems = ScriptChecks.CommandProblems("sample.ps1", ast, catalog.Module, IsModuleCommand, "out/QTickets/QTickets.psd1");
        Assert.Equal(new[]
        {
            "sample.ps1:1: Get-QTicketsOrder has no parameter -NoSuchThing (out/QTickets/QTickets.psd1)",
            "sample.ps1:2: Get-QTicketsNothing is not a command of out/QTickets/QTickets.psd1",
        }, problems);
    }

    // ------------------------------------------------------------------------------------------------ (d)

    /// <summary>Registers a Windows Task Scheduler task: it runs only in a Windows pwsh and needs the ScheduledTasks
    /// module, which pwsh on Linux does not have.</summary>
    const string WindowsOnly = "Register-QTicketsLoaderTask.ps1";

    [Fact]
    public void The_scripts_use_only_commands_pwsh_has()
    {
        Assert.Contains("ForEach-Object", catalog.Available);
        Assert.Contains("Get-Date", catalog.Available);
        Assert.Contains("Install-PSResource", catalog.Available);
        Assert.Contains("Invoke-QTicketsLoad", catalog.Available);
        Assert.DoesNotContain("Register-ScheduledTask", catalog.Available);
        Assert.Contains(ScriptChecks.Scripts, s => Path.GetFileName(s) == WindowsOnly);
        var problems = new List<string>();
        foreach (var f in ScriptChecks.Scripts.Where(s => Path.GetFileName(s) != WindowsOnly))
        {
            var ast = ScriptChecks.ParseFile(f, problems);
            problems.AddRange(ScriptChecks.UnavailableCommands(f, ast, catalog.Available));
        }
        AssertNone(problems, "Commands pwsh 7.6 with the module lacks");
    }

    [Fact]
    public void The_script_check_finds_unknown_commands_and_allows_local_and_dot_sourced_functions()
    {
        var dir = Directory.CreateTempSubdirectory("qtickets-scriptcheck-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "Helper.ps1"), "function Get-HelperThing { 1 }");
            var script = Path.Combine(dir, "Main.ps1");
            File.WriteAllText(script, """
                . ([System.IO.Path]::Combine($PSScriptRoot, 'Helper.ps1'))
                function Get-LocalThing { 2 }
                Get-HelperThing; Get-LocalThing
                Get-QTicketsOrder -Id 1 | Where-Object Id | ForEach-Object { $_ }
                $now = Get-Date
                Get-QTicketsNoSuchThing
                . $PSScriptRoot/Missing.ps1
                """);
            var problems = ScriptChecks.UnavailableCommands(script, ScriptChecks.ParseFile(script, new List<string>()), catalog.Available);
            var rel = ScriptChecks.Relative(script);
            Assert.Equal(2, problems.Count);
            Assert.Equal($"{rel}:7: '. $PSScriptRoot/Missing.ps1' dot-sources {ScriptChecks.Relative(Path.Combine(dir, "Missing.ps1"))}, which does not exist", problems[0]);
            Assert.StartsWith($"{rel}:6: Get-QTicketsNoSuchThing is not a command of pwsh 7.6", problems[1]);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void The_parse_check_names_file_line_and_error()
    {
        var problems = new List<string>();
        ScriptChecks.ParseText("'ok'\nif ($x {\n", problems, "broken.ps1");
        Assert.NotEmpty(problems);
        Assert.StartsWith("broken.ps1:2:", problems[0]);
    }
}
