<#
.SYNOPSIS
    Packages the laid-out module (out/QTickets) as a versioned module folder and a .nupkg for PSResourceGet.
.DESCRIPTION
    Called by the Package target of build/QTickets.Build.proj (./build.sh package, ./build.ps1 -Task Package).
    Writes
      <OutDir>/QTickets/<version>/          the module folder as Install-PSResource lays it out
      <OutDir>/QTickets.<version>.nupkg     what Publish-PSResource would upload: the module files at the root of
                                            the package, QTickets.nuspec generated from the manifest, and the OPC
                                            parts NuGet adds ([Content_Types].xml, _rels/.rels, a .psmdcp)
    The version, authors, description, tags, license and release notes come from the manifest only, so the
    package cannot disagree with the module. Tags follow PowerShellGet's convention: the manifest's PSData tags
    plus PSModule, PSIncludes_Cmdlet, PSCmdlet_<name> and PSCommand_<name> for every exported cmdlet.
.PARAMETER ModuleDir
    The laid-out module folder (out/QTickets, with QTickets.psd1).
.PARAMETER OutDir
    Where to write the package (out/package); its QTickets/ folder and QTickets.*.nupkg files are replaced.
.EXAMPLE
    ./build.sh pwsh -File build/New-QTicketsPackage.ps1 -ModuleDir out/QTickets -OutDir out/package
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModuleDir,
    [Parameter(Mandatory)] [string] $OutDir
)
$ErrorActionPreference = 'Stop'
$null = [System.Reflection.Assembly]::Load('System.IO.Compression')

$moduleDir = [System.IO.Path]::GetFullPath($ModuleDir)
$outDir = [System.IO.Path]::GetFullPath($OutDir)
$manifestPath = [System.IO.Path]::Combine($moduleDir, 'QTickets.psd1')
if (-not [System.IO.File]::Exists($manifestPath)) { throw "No module manifest at ${manifestPath}: run './build.sh build' first." }

$module = Test-ModuleManifest -Path $manifestPath -ErrorAction Stop
$psData = $module.PrivateData.PSData
$version = $module.Version.ToString(3)
if ($psData.Prerelease) { $version = "$version-$($psData.Prerelease)" }
$id = $module.Name

[string[]] $cmdlets = @($module.ExportedCmdlets.Keys)
[System.Array]::Sort($cmdlets, [System.StringComparer]::Ordinal)
$tags = [System.Collections.Generic.List[string]]::new()
foreach ($tag in @($module.Tags) + @('PSModule', 'PSIncludes_Cmdlet')) { if ($tag -and -not $tags.Contains($tag)) { $tags.Add($tag) } }
foreach ($name in $cmdlets) { $tags.Add("PSCmdlet_$name"); $tags.Add("PSCommand_$name") }

# The versioned module folder: exactly the laid-out module.
$packageRoot = [System.IO.Path]::Combine($outDir, $id)
if ([System.IO.Directory]::Exists($packageRoot)) { [System.IO.Directory]::Delete($packageRoot, $true) }
$versionDir = [System.IO.Path]::Combine($packageRoot, $module.Version.ToString(3))
$files = [System.IO.Directory]::GetFiles($moduleDir, '*', [System.IO.SearchOption]::AllDirectories)
[System.Array]::Sort($files, [System.StringComparer]::Ordinal)
foreach ($file in $files) {
    $target = [System.IO.Path]::Combine($versionDir, [System.IO.Path]::GetRelativePath($moduleDir, $file))
    $null = [System.IO.Directory]::CreateDirectory([System.IO.Path]::GetDirectoryName($target))
    [System.IO.File]::Copy($file, $target, $true)
}

function Escape([string] $text) { [System.Security.SecurityElement]::Escape($text) }

$nuspec = @"
<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
  <metadata>
    <id>$(Escape $id)</id>
    <version>$(Escape $version)</version>
    <authors>$(Escape $module.Author)</authors>
    <owners>$(Escape $module.CompanyName)</owners>
    <requireLicenseAcceptance>false</requireLicenseAcceptance>
$(if ($module.LicenseUri) { "    <licenseUrl>$(Escape $module.LicenseUri)</licenseUrl>`n" })$(if ($module.ProjectUri) { "    <projectUrl>$(Escape $module.ProjectUri)</projectUrl>`n" })    <description>$(Escape $module.Description)</description>
$(if ($module.ReleaseNotes) { "    <releaseNotes>$(Escape $module.ReleaseNotes)</releaseNotes>`n" })    <copyright>$(Escape $module.Copyright)</copyright>
    <tags>$(Escape ($tags -join ' '))</tags>
  </metadata>
</package>
"@

$extensions = [System.Collections.Generic.SortedSet[string]]::new([System.StringComparer]::OrdinalIgnoreCase)
foreach ($file in $files) {
    $ext = [System.IO.Path]::GetExtension($file).TrimStart('.')
    if ($ext) { $null = $extensions.Add($ext) }
}
$defaults = foreach ($ext in $extensions) { "  <Default Extension=`"$(Escape $ext)`" ContentType=`"application/octet`" />" }
$contentTypes = @"
<?xml version="1.0" encoding="utf-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
  <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml" />
  <Default Extension="psmdcp" ContentType="application/vnd.openxmlformats-package.core-properties+xml" />
  <Default Extension="nuspec" ContentType="application/octet" />
$($defaults -join "`n")
</Types>
"@

$coreName = [guid]::NewGuid().ToString('N')
$rels = @"
<?xml version="1.0" encoding="utf-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
  <Relationship Type="http://schemas.microsoft.com/packaging/2010/07/manifest" Target="/$id.nuspec" Id="R$($coreName.Substring(0, 16))" />
  <Relationship Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="/package/services/metadata/core-properties/$coreName.psmdcp" Id="R$($coreName.Substring(16))" />
</Relationships>
"@
$coreProperties = @"
<?xml version="1.0" encoding="utf-8"?>
<coreProperties xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.openxmlformats.org/package/2006/metadata/core-properties">
  <dc:creator>$(Escape $module.Author)</dc:creator>
  <dc:description>$(Escape $module.Description)</dc:description>
  <dc:identifier>$(Escape $id)</dc:identifier>
  <version>$(Escape $version)</version>
  <keywords>$(Escape ($tags -join ' '))</keywords>
  <lastModifiedBy>New-QTicketsPackage.ps1</lastModifiedBy>
</coreProperties>
"@

$nupkg = [System.IO.Path]::Combine($outDir, "$id.$version.nupkg")
$null = [System.IO.Directory]::CreateDirectory($outDir)
foreach ($old in [System.IO.Directory]::GetFiles($outDir, "$id.*.nupkg")) { [System.IO.File]::Delete($old) }
$utf8 = [System.Text.UTF8Encoding]::new($false)
$stream = [System.IO.File]::Create($nupkg)
try {
    $zip = [System.IO.Compression.ZipArchive]::new($stream, [System.IO.Compression.ZipArchiveMode]::Create)
    try {
        function Add-Text([string] $name, [string] $text) {
            $entry = $zip.CreateEntry($name, [System.IO.Compression.CompressionLevel]::Optimal)
            $writer = [System.IO.StreamWriter]::new($entry.Open(), $utf8)
            try { $writer.Write($text.Replace("`r`n", "`n")) } finally { $writer.Dispose() }
        }
        Add-Text '_rels/.rels' $rels
        Add-Text "$id.nuspec" $nuspec
        foreach ($file in $files) {
            $name = [System.IO.Path]::GetRelativePath($moduleDir, $file).Replace('\', '/')
            $entry = $zip.CreateEntry($name, [System.IO.Compression.CompressionLevel]::Optimal)
            $entry.LastWriteTime = [System.IO.File]::GetLastWriteTimeUtc($file)
            $in = [System.IO.File]::OpenRead($file)
            $out = $entry.Open()
            try { $in.CopyTo($out) } finally { $out.Dispose(); $in.Dispose() }
        }
        Add-Text "package/services/metadata/core-properties/$coreName.psmdcp" $coreProperties
        Add-Text '[Content_Types].xml' $contentTypes
    }
    finally { $zip.Dispose() }
}
finally { $stream.Dispose() }

$PSCmdlet.WriteVerbose("$($files.Count) module files, $($cmdlets.Count) cmdlets, tags: $($tags -join ' ')")
"Package: $versionDir"
"Package: $nupkg ($([System.IO.FileInfo]::new($nupkg).Length) bytes)"
