# azd postprovision hook (Windows twin of postprovision.sh): writes src/FunctionsHost/local.settings.json
# from the provisioned values so `func start` runs against Azure with the developer's Entra login.
$ErrorActionPreference = 'Stop'

if ($env:CI -eq 'true' -or $env:GITHUB_ACTIONS) {
    Write-Host 'postprovision: CI run, local.settings.json not written.'
    exit 0
}

foreach ($name in 'AZURE_STORAGE_BLOB_ENDPOINT', 'AZURE_STORAGE_QUEUE_ENDPOINT', 'AZURE_KEY_VAULT_ENDPOINT') {
    if (-not [Environment]::GetEnvironmentVariable($name)) {
        throw "postprovision: $name is not set; run 'azd provision' first."
    }
}

$values = [ordered]@{
    FUNCTIONS_WORKER_RUNTIME              = 'dotnet-isolated'
    AzureWebJobsStorage__blobServiceUri   = $env:AZURE_STORAGE_BLOB_ENDPOINT
    AzureWebJobsStorage__queueServiceUri  = $env:AZURE_STORAGE_QUEUE_ENDPOINT
    TributaryStorage__blobServiceUri      = $env:AZURE_STORAGE_BLOB_ENDPOINT
    TributaryStorage__queueServiceUri     = $env:AZURE_STORAGE_QUEUE_ENDPOINT
    Tributary__StateStore__BlobServiceUri = $env:AZURE_STORAGE_BLOB_ENDPOINT
    Tributary__KeyVaultUri                = $env:AZURE_KEY_VAULT_ENDPOINT
}
if ($env:TRIBUTARY_LAKE_URI) {
    $values['Tributary__Destination__Delta__Uri'] = $env:TRIBUTARY_LAKE_URI
}
if ($env:POSTGRES_HOST) {
    $values['Tributary__Destination__Postgres__Host'] = $env:POSTGRES_HOST
    $values['Tributary__Destination__Postgres__Database'] = $env:POSTGRES_DATABASE
}
if ($env:TRIBUTARY_CONNECTION_SETTINGS) {
    ($env:TRIBUTARY_CONNECTION_SETTINGS | ConvertFrom-Json).PSObject.Properties |
        ForEach-Object { $values[$_.Name] = [string]$_.Value }
}

$target = Join-Path $PSScriptRoot '..' '..' 'src' 'FunctionsHost' 'local.settings.json'
New-Item -ItemType Directory -Force -Path (Split-Path $target) | Out-Null
[ordered]@{ IsEncrypted = $false; Values = $values } | ConvertTo-Json -Depth 3 | Set-Content -Path $target -Encoding utf8
Write-Host "postprovision: wrote $target"
