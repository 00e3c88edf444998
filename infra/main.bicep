// Tributary on Azure: a Flex Consumption Function App that runs the connectors, with the storage,
// secrets, monitoring, the Delta Lake account the connectors write to, and (optionally) PostgreSQL. `azd up` deploys this file; azd passes
// the parameters from main.parameters.json and turns the UPPER_SNAKE outputs into environment values.
// No key, password or connection string with a secret is created, read or output anywhere: every
// connection is made with the app's managed identity (or, for local runs, the developer's Entra login).
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; used in resource names and the azd-env-name tag.')
param environmentName string

@minLength(1)
@description('Region for every resource. It must offer Flex Consumption (az functionapp list-flexconsumption-locations).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Object id of the person (or pipeline) running azd, from AZURE_PRINCIPAL_ID. It gets the same data roles as the app so local runs work with an Entra login. Empty: no roles.')
param principalId string = ''

@description('User for a person signed in to azd; ServicePrincipal for a pipeline with federated credentials.')
@allowed([
  'User'
  'ServicePrincipal'
])
param principalType string = 'User'

@description('Name of the resource group; empty means rg-<environmentName>.')
param resourceGroupName string = ''

@description('Create an Azure Database for PostgreSQL flexible server (Entra auth only) as the connectors\' destination instead of the Delta Lake. It is billed while it exists, even when idle.')
param postgresEnabled bool = false

@description('Days a deleted Key Vault stays recoverable (purge protection forbids purging it sooner). A new environment with the same name, subscription and region cannot be created until then.')
@minValue(7)
@maxValue(90)
param keyVaultSoftDeleteRetentionInDays int = 7

@description('Most instances the Function App scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Memory per Function App instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Days a checkpoint stays in a connection\'s state history. The storage lifecycle policy deletes older ones, and the app prunes by the same age when a run ends.')
@minValue(1)
@maxValue(36500)
param stateHistoryRetentionDays int = 30

@description('Days a run record is kept. The storage lifecycle policy deletes older ones, and the app prunes by the same age when a run ends.')
@minValue(1)
@maxValue(36500)
param runRecordRetentionDays int = 30

@description('A connection: a configured instance of a connector, with its own schedule, destination schema, state and secrets.')
type connection = {
  @description('The connection id, lower snake case, at most 63 characters: it keys the connection\'s state, runs and lease, names its Key Vault secrets (<id>--<name>, every _ written as -) and is its default destination schema.')
  id: string

  @description('The connector type, a registered connector name. Default: the id (a connection named after its connector).')
  connector: string?

  @description('NCRONTAB expression with six fields (second minute hour day month day-of-week), in UTC, read by the scheduler every minute. Omitted: synced on demand only.')
  schedule: string?

  @description('Whether the scheduler runs the connection. Default true. A disabled connection can still be synced on demand.')
  enabled: bool?

  @description('Where its rows go: delta (Delta Lake tables in the lake account), postgres (needs postgresEnabled) or duckdb (refused on Azure unless Tributary__Destination__DuckDb__AllowEphemeral=true: its file is lost on a recycle). Default: postgres when postgresEnabled, otherwise delta.')
  destination: ('delta' | 'postgres' | 'duckdb')?

  @description('The destination schema, lower snake case. Default: the id.')
  schema: string?

  @description('Its configuration: string values, none of them secret (secrets go to Key Vault as <id>--<name>).')
  configuration: { *: string }?
}

@description('The connections the Function App runs: the one list the Connections__<id>__… app settings are generated from. By default one per example connector, named after it; only hello is enabled, and the minutes are staggered so runs do not all start together.')
param connections connection[] = [
  { id: 'hello', schedule: '0 0 * * * *', enabled: true }
  { id: 'simple_three_step_cursor', schedule: '0 3 * * * *', enabled: false }
  { id: 'configuration', schedule: '0 6 * * * *', enabled: false }
  { id: 'multiple_code_files', schedule: '0 9 * * * *', enabled: false }
  { id: 'specified_types', schedule: '0 12 * * * *', enabled: false }
  { id: 'unspecified_types', schedule: '0 15 * * * *', enabled: false }
  { id: 'three_operations', schedule: '0 18 * * * *', enabled: false }
  { id: 'hashes', schedule: '0 21 * * * *', enabled: false }
  { id: 'base_64_encoding_decoding', schedule: '0 24 * * * *', enabled: false }
  { id: 'truncate_operation', schedule: '0 27 * * * *', enabled: false }
  { id: 'complex_configuration_options', schedule: '0 30 * * * *', enabled: false }
  { id: 'schema_change', schedule: '0 33 * * * *', enabled: false }
  { id: 'tracking_tables', schedule: '0 36 * * * *', enabled: false }
  { id: 'time_window', schedule: '0 39 * * * *', enabled: false }
  { id: 'errors', schedule: '0 42 * * * *', enabled: false }
  { id: 'synthetic', schedule: '0 45 * * * *', enabled: false }
  { id: 'webhook_events', schedule: '0 48 * * * *', enabled: false }
]

// azd finds the Function App to deploy to by this tag; it must equal the service name in azure.yaml.
var serviceName = 'api'
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}

var deploymentContainerName = 'app-package'
var stateContainerName = 'tributary-state'
var runsQueueName = 'tributary-runs'
var postgresDatabaseName = 'tributary'
var lakeContainerName = 'lake'

// Resource names, fixed before deployment so role assignment scopes and What-If need no runtime values.
var names = {
  identity: 'id-tributary-${resourceToken}'
  logAnalytics: 'log-tributary-${resourceToken}'
  applicationInsights: 'appi-tributary-${resourceToken}'
  storage: 'sttrib${resourceToken}'
  lake: 'stlake${resourceToken}'
  keyVault: 'kv-trib-${resourceToken}'
  postgres: 'psql-tributary-${resourceToken}'
  plan: 'plan-tributary-${resourceToken}'
  functionApp: 'func-tributary-${resourceToken}'
}

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: empty(resourceGroupName) ? 'rg-${environmentName}' : resourceGroupName
  location: location
  tags: tags
}

module appIdentity 'modules/identity.bicep' = {
  scope: rg
  params: {
    name: names.identity
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  scope: rg
  params: {
    logAnalyticsName: names.logAnalytics
    applicationInsightsName: names.applicationInsights
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  scope: rg
  params: {
    name: names.storage
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
    stateContainerName: stateContainerName
    runsQueueName: runsQueueName
    stateHistoryRetentionDays: stateHistoryRetentionDays
    runRecordRetentionDays: runRecordRetentionDays
  }
}

module lake 'modules/lake.bicep' = {
  scope: rg
  params: {
    name: names.lake
    location: location
    tags: tags
    containerName: lakeContainerName
  }
}

module keyVault 'modules/keyvault.bicep' = {
  scope: rg
  params: {
    name: names.keyVault
    location: location
    tags: tags
    softDeleteRetentionInDays: keyVaultSoftDeleteRetentionInDays
  }
}

module postgres 'modules/postgres.bicep' = if (postgresEnabled) {
  scope: rg
  params: {
    name: names.postgres
    location: location
    tags: tags
    databaseName: postgresDatabaseName
    administratorName: names.identity
    administratorPrincipalId: appIdentity.outputs.principalId
    version: '17'
    skuName: 'Standard_B1ms'
    skuTier: 'Burstable'
    storageSizeGB: 32
  }
}

// Roles for the app identity, and the same for the deploying principal (see modules/roles.bicep).
module appRoles 'modules/roles.bicep' = {
  scope: rg
  params: {
    principalId: appIdentity.outputs.principalId
    principalType: 'ServicePrincipal'
    storageAccountName: names.storage
    lakeAccountName: names.lake
    keyVaultName: names.keyVault
    applicationInsightsName: names.applicationInsights
  }
  dependsOn: [
    storage
    lake
    keyVault
    monitoring
  ]
}

module deployerRoles 'modules/roles.bicep' = if (!empty(principalId)) {
  scope: rg
  params: {
    principalId: principalId
    principalType: principalType
    storageAccountName: names.storage
    lakeAccountName: names.lake
    keyVaultName: names.keyVault
    applicationInsightsName: names.applicationInsights
  }
  dependsOn: [
    storage
    lake
    keyVault
    monitoring
  ]
}

// Identity-based connections: a service URI plus `credential = managedidentity` and the identity's
// client id. No connection string with a key exists for any of them.
var hostStorageSettings = {
  AzureWebJobsStorage__blobServiceUri: storage.outputs.blobEndpoint
  AzureWebJobsStorage__queueServiceUri: storage.outputs.queueEndpoint
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: appIdentity.outputs.clientId
}

// `TributaryStorage` is the queue trigger's connection name; the state store uses the same account.
var tributarySettings = {
  TributaryStorage__blobServiceUri: storage.outputs.blobEndpoint
  TributaryStorage__queueServiceUri: storage.outputs.queueEndpoint
  TributaryStorage__credential: 'managedidentity'
  TributaryStorage__clientId: appIdentity.outputs.clientId
  Tributary__StateStore__BlobServiceUri: storage.outputs.blobEndpoint
  Tributary__KeyVaultUri: keyVault.outputs.uri
  // The same ages as the storage lifecycle policy, so the app and the policy keep the same history and runs.
  Tributary__StateStore__Retention__HistoryDays: string(stateHistoryRetentionDays)
  Tributary__StateStore__Retention__RunDays: string(runRecordRetentionDays)
  // Picked up by DefaultAzureCredential / ManagedIdentityCredential in the runtime's own SDK clients.
  AZURE_CLIENT_ID: appIdentity.outputs.clientId
}

// Every connection's settings, generated from the one list above: Connections__<id>__Connector, __Enabled, __Destination,
// and when given __Schedule, __Schema and __Configuration__<key>. A connection that names no destination writes Delta
// tables into the lake, or to PostgreSQL when it is deployed; DuckDB is local only (the host refuses it on Azure).
var connectionDefinitionSettings = toObject(
  flatten(map(connections, c => concat(
    [
      { name: 'Connections__${c.id}__Connector', value: c.?connector ?? c.id }
      { name: 'Connections__${c.id}__Enabled', value: (c.?enabled ?? true) ? 'true' : 'false' }
    ],
    c.?schedule == null ? [] : [{ name: 'Connections__${c.id}__Schedule', value: c.?schedule }],
    c.?schema == null ? [] : [{ name: 'Connections__${c.id}__Schema', value: c.?schema }],
    [{ name: 'Connections__${c.id}__Destination', value: c.?destination ?? (postgresEnabled ? 'postgres' : 'delta') }]
  ))),
  setting => setting.name,
  setting => setting.value
)
var connectionConfigurationSettings = toObject(
  flatten(map(connections, c => map(items(c.?configuration ?? {}), entry => {
    name: 'Connections__${c.id}__Configuration__${entry.key}'
    value: entry.value
  }))),
  setting => setting.name,
  setting => setting.value
)
var connectionSettings = union(connectionDefinitionSettings, connectionConfigurationSettings)

// The Delta destination writes under the lake container's blob URL with the app identity (ADLS Gen2 serves the Blob API too).
var lakeUri = '${lake.outputs.blobEndpoint}${lakeContainerName}'
var lakeSettings = {
  Tributary__Destination__Delta__Uri: lakeUri
}

// The PostgreSQL destination signs in as the app identity, whose role name is the identity's name.
var postgresSettings = postgresEnabled
  ? {
      Tributary__Destination__Postgres__Host: postgres!.outputs.host
      Tributary__Destination__Postgres__Database: postgres!.outputs.databaseName
      Tributary__Destination__Postgres__Username: names.identity
    }
  : {}

module functionApp 'modules/functionapp.bicep' = {
  scope: rg
  params: {
    planName: names.plan
    name: names.functionApp
    location: location
    tags: tags
    serviceName: serviceName
    identityResourceId: appIdentity.outputs.resourceId
    identityClientId: appIdentity.outputs.clientId
    storageBlobEndpoint: storage.outputs.blobEndpoint
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: names.applicationInsights
    appSettings: union(
      hostStorageSettings,
      tributarySettings,
      connectionSettings,
      lakeSettings,
      postgresSettings
    )
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
  }
  dependsOn: [
    monitoring
    // The host reaches storage, the lake, Key Vault and Application Insights as soon as it starts.
    appRoles
  ]
}

// Read by azd and by infra/hooks/postprovision.sh. Names, endpoints and ids only: nothing secret.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output SERVICE_API_NAME string = functionApp.outputs.name
output SERVICE_API_URI string = 'https://${functionApp.outputs.defaultHostName}'
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = appIdentity.outputs.clientId
output AZURE_MANAGED_IDENTITY_NAME string = appIdentity.outputs.name
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_BLOB_ENDPOINT string = storage.outputs.blobEndpoint
output AZURE_STORAGE_QUEUE_ENDPOINT string = storage.outputs.queueEndpoint
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_ENDPOINT string = keyVault.outputs.uri
output TRIBUTARY_STATE_CONTAINER string = stateContainerName
output TRIBUTARY_RUNS_QUEUE string = runsQueueName
output AZURE_LAKE_ACCOUNT_NAME string = lake.outputs.name
output AZURE_LAKE_DFS_ENDPOINT string = lake.outputs.dfsEndpoint
output TRIBUTARY_LAKE_URI string = lakeUri
output TRIBUTARY_CONNECTION_SETTINGS object = connectionSettings
output POSTGRES_ENABLED bool = postgresEnabled
output POSTGRES_HOST string = postgresEnabled ? postgres!.outputs.host : ''
output POSTGRES_DATABASE string = postgresEnabled ? postgresDatabaseName : ''
