#Requires -Version 7.6
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Get-Help -Online for every exported cmdlet: in a child pwsh whose PATH starts with a fake xdg-open (the browser
    pwsh starts on Linux) that records its argument, the browser receives the cmdlet's page under the manifest's
    ProjectUri, and that page exists in docs/cmdlets with the cmdlet's synopsis and examples. The manifest's
    ProjectUri is the one address (https, no package registry). Needs ./build.sh build.
#>

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'QTickets.TestSupport.psm1') -Force
    $cmdlets = @((Import-PowerShellDataFile (Get-TestModuleManifest)).CmdletsToExport | ForEach-Object { @{ Name = $_ } })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'QTickets.TestSupport.psm1') -Force
    $script:manifest = Get-TestModuleManifest
    $script:projectUri = (Import-PowerShellDataFile $manifest).PrivateData.PSData.ProjectUri
    $script:pages = Join-Path (Get-TestRepositoryRoot) 'docs' 'cmdlets'
    $script:work = New-TestDirectory -Prefix 'qt-pester-online-'
    $bin = New-Item -ItemType Directory -Path (Join-Path $work 'bin')
    $script:opened = Join-Path $work 'opened.txt'
    $fake = Join-Path $bin 'xdg-open'
    Set-Content -LiteralPath $fake -Value "#!/bin/sh`nprintf '%s\n' `"`$1`" >> '$opened'`n"
    [System.IO.File]::SetUnixFileMode($fake, [System.IO.UnixFileMode] 'UserRead, UserWrite, UserExecute')

    # One child pwsh asks for every cmdlet's online help, one after the other.
    $names = @((Import-PowerShellDataFile $manifest).CmdletsToExport)
    $probe = Join-Path $work 'online.ps1'
    Set-Content -LiteralPath $probe -Value @"
Import-Module '$manifest' -ErrorAction Stop
foreach (`$name in '$($names -join "','")') {
    Get-Help `$name -Online -ErrorAction Stop
    # xdg-open is started and not waited for: wait for its line before the next cmdlet.
    `$deadline = [DateTime]::UtcNow.AddSeconds(20)
    while (@(Get-Content -LiteralPath '$opened' -ErrorAction SilentlyContinue).Count -lt ([array]::IndexOf([string[]]@('$($names -join "','")'), `$name) + 1) -and [DateTime]::UtcNow -lt `$deadline) { Start-Sleep -Milliseconds 50 }
}
"@
    $script:run = Invoke-TestScript $probe -Environment @{ PATH = "$bin$([System.IO.Path]::PathSeparator)$env:PATH"; DISPLAY = ':0'; BROWSER = $null }
    $script:received = @(if (Test-Path -LiteralPath $opened) { Get-Content -LiteralPath $opened })
}

AfterAll {
    if ($work) { Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'The project address' {
    It 'the manifest names an https ProjectUri that is no package registry' {
        $projectUri | Should -Match '^https://github\.com/[^/]+/[^/]+$'
    }

    It 'the child pwsh asked for every cmdlet''s online help without an error' {
        $run.ExitCode | Should -Be 0 -Because ($run.Lines + $run.Errors -join "`n")
        $run.Errors | Should -BeNullOrEmpty
    }
}

Describe 'Get-Help <Name> -Online' -ForEach $cmdlets {
    It 'opens the browser at the cmdlet''s page' {
        $received | Should -Contain "$projectUri/blob/main/docs/cmdlets/$Name.md"
    }

    It 'the page exists, with the synopsis and every example of Get-Help' {
        $page = Join-Path $pages "$Name.md"
        Test-Path -LiteralPath $page | Should -BeTrue
        $text = Get-Content -LiteralPath $page -Raw
        Import-Module $manifest -Force
        $help = Get-Help $Name -Full
        $text | Should -Match "(?m)^# $Name$"
        $text.Contains("$($help.Synopsis)".Trim()) | Should -BeTrue -Because 'the page carries the synopsis'
        foreach ($example in @($help.examples.example)) {
            $text.Contains("$($example.code)".Trim()) | Should -BeTrue -Because "the page carries example '$($example.title)'"
        }
    }
}
