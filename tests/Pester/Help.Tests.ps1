#Requires -Version 7.6
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    The module's help in users' pwsh: for every cmdlet the manifest exports, Get-Help -Examples shows at least two
    examples with code and text, and Get-Help -Full has a synopsis, a description and every parameter described;
    the about topics are found. Needs the built module (./build.sh build: en-US/ is generated from docs/help).
    The engine-hosted twin of these tests is tests/Unit/QTickets.Module.Tests/Help.
#>

BeforeDiscovery {
    # -ForEach data must exist at discovery: the cmdlet list comes from the manifest, read here.
    Import-Module (Join-Path $PSScriptRoot 'QTickets.TestSupport.psm1') -Force
    $cmdlets = @((Import-PowerShellDataFile (Get-TestModuleManifest)).CmdletsToExport | ForEach-Object { @{ Name = $_ } })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'QTickets.TestSupport.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force -ErrorAction Stop
    $script:common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
}

Describe 'Help of <Name>' -ForEach $cmdlets {
    BeforeAll {
        $script:full = Get-Help $Name -Full
        $script:examples = @((Get-Help $Name -Examples).examples.example)
        $script:command = Get-Command $Name
    }

    It 'Get-Help -Examples shows at least two examples, each with code and text' {
        $examples.Count | Should -BeGreaterOrEqual 2
        foreach ($example in $examples) {
            "$($example.code)".Trim() | Should -Not -BeNullOrEmpty
            (@($example.remarks | ForEach-Object Text) -join ' ').Trim() | Should -Not -BeNullOrEmpty -Because "example '$($example.title)' needs text"
        }
    }

    It 'has a written synopsis (not the generated syntax line)' {
        "$($full.Synopsis)".Trim() | Should -Not -BeNullOrEmpty
        "$($full.Synopsis)".Trim() | Should -Not -BeLike "$Name *"
    }

    It 'has a description' {
        (@($full.description | ForEach-Object Text) -join ' ').Trim() | Should -Not -BeNullOrEmpty
    }

    It 'describes every parameter' {
        $described = @{}
        foreach ($p in @($full.parameters.parameter)) { $described[$p.name] = (@($p.description | ForEach-Object Text) -join ' ').Trim() }
        $missing = foreach ($p in $command.Parameters.Keys) {
            if ($p -notin $common -and -not $described[$p]) { $p }
        }
        $missing | Should -BeNullOrEmpty -Because 'every parameter needs a description in docs/help'
    }

    It 'names its inputs and outputs' {
        @($full.inputTypes.inputType).Count | Should -BeGreaterThan 0
        $outputs = @($full.returnValues.returnValue | ForEach-Object { "$($_.type.name)".Trim() })
        foreach ($type in @($command.OutputType)) { $outputs | Should -Contain $type.Name }
    }

    It 'has related links' {
        @($full.relatedLinks.navigationLink | Where-Object linkText).Count | Should -BeGreaterThan 0
    }
}

Describe 'About topics' {
    It 'Get-Help about_QTickets covers configuration, the load contract, exit codes and privacy' {
        $text = Get-Help about_QTickets | Out-String
        $text | Should -Match 'QTICKETS_TOKEN'
        $text | Should -Match 'watermark'
        $text | Should -Match 'Exit codes'
        $text | Should -Match 'Privacy'
    }

    It 'Get-Help about_QTickets_Troubleshooting explains the verdicts' {
        $text = Get-Help about_QTickets_Troubleshooting | Out-String
        foreach ($verdict in 'WorkingFormFound', 'NoWorkingForm', 'TokenRejected', 'ApiUnavailable') { $text | Should -Match $verdict }
    }
}
