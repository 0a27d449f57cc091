@{
    RootModule           = 'QTickets.Cmdlets.dll'
    # The domain assembly the cmdlets are built on, loaded into the default context first (no PowerShell or
    # third-party reference, so it cannot conflict with another module).
    RequiredAssemblies   = @('QTickets.Core.dll')
    ModuleVersion        = '0.1.0'
    GUID                 = '3f6b1c52-9d1e-4a7b-8f0e-6c2d4b9a7e11'
    Author               = 'QTickets.PowerShell contributors'
    CompanyName          = 'QTickets.PowerShell'
    Copyright            = '(c) QTickets.PowerShell contributors. MIT License.'
    Description          = 'Loads ticket sales from the QTickets REST API into ClickHouse: paged, resilient, idempotent, without personal data.'
    PowerShellVersion    = '7.6'
    CompatiblePSEditions = @('Core')
    # Binary cmdlets only; every export is explicit so discovery never has to load the assembly.
    CmdletsToExport      = @(
        'Get-QTicketsConfig'
        'Get-QTicketsOrder'
        'Get-QTicketsEvent'
        'ConvertTo-QTicketsSalesRow'
        'Get-QTicketsInventory'
        'Test-QTicketsEndpoint'
        'Save-QTicketsEndpointReport'
        'Initialize-QTicketsClickHouse'
        'Write-QTicketsClickHouse'
        'Test-QTicketsClickHouse'
        'Update-QTicketsDailyFacts'
        'Invoke-QTicketsLoad'
        'Compare-QTicketsClickHouse'
        'Test-QTicketsFreshness'
        'Start-QTicketsWebhookReceiver'
        'Get-QTicketsSchedule'
        'Export-QTicketsSupportCsv'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    FormatsToProcess     = @(
        'QTickets.Config.Format.ps1xml'
        'QTickets.Api.Format.ps1xml'
        'QTickets.Transform.Format.ps1xml'
        'QTickets.Diagnostics.Format.ps1xml'
        'QTickets.Reconcile.Format.ps1xml'
        'QTickets.Load.Format.ps1xml'
        'QTickets.Views.Format.ps1xml'
        'QTickets.Schedule.Format.ps1xml'
    )
    TypesToProcess       = @(
        'QTickets.Types.ps1xml'
    )
    PrivateData          = @{
        PSData = @{
            Tags         = @('QTickets', 'ClickHouse', 'ETL', 'Tickets', 'Linux', 'PSEdition_Core')
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            # The project's one address: the help generator derives every cmdlet's online help page from it
            # (Get-Help -Online), the package carries it as its project URL.
            ProjectUri   = 'https://github.com/qtickets/QTickets.PowerShell'
            ReleaseNotes = 'First release: configuration, API client, sales rows, ClickHouse loader.'
        }
    }
}
