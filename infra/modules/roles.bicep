// The data-plane roles one principal needs to run Tributary. Assigned to the Function App's managed
// identity, and to the deploying user so that local runs with an Entra login reach the same resources.
// Each assignment is scoped to the one resource it is for, never the resource group or subscription.

@description('Object id of the principal that receives the roles.')
param principalId string

@description('Kind of principal: the app identity is a ServicePrincipal; a person running azd is a User.')
@allowed([
  'ServicePrincipal'
  'User'
])
param principalType string

@description('Storage account with host storage, the deployment container, state blobs and the runs queue.')
param storageAccountName string

@description('ADLS Gen2 account that holds the Delta Lake tables (modules/lake.bicep).')
param lakeAccountName string

@description('Key Vault with the connectors\' secrets.')
param keyVaultName string

@description('Application Insights component (local auth off) that receives telemetry.')
param applicationInsightsName string

// Built-in role definition ids (the same in every tenant).
// Storage Blob Data Owner: read, write, delete and lease blobs and manage containers. The Functions runtime
// keeps its host locks, timer schedule status and keys in blobs, the Flex Consumption deployment package is
// read from a blob container, and Tributary's state, history, leases and run records are blobs. Microsoft
// documents Owner (not Contributor) for identity-based AzureWebJobsStorage, so Owner is used once for all.
var storageBlobDataOwnerRoleId = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
// Storage Queue Data Contributor: the queue trigger reads and deletes messages on `tributary-runs` and
// creates its poison queue; the host enqueues sync requests and continuations.
var storageQueueDataContributorRoleId = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
// Storage Blob Data Contributor on the lake account: the Delta destination reads, writes and deletes the tables' data
// files and commits their logs (a conditional create of the next log version). It manages no containers and sets no ACLs,
// so Contributor is enough there, and it is granted on the lake account alone.
var storageBlobDataContributorRoleId = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
// Key Vault Secrets Officer: read secrets, and write back a rotated secret (an OAuth refresh token).
// Secrets User would be enough to read, but could not write the rotation back.
var keyVaultSecretsOfficerRoleId = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
// Monitoring Metrics Publisher: Application Insights has local auth off, so telemetry must be sent
// with an Entra token of a principal holding this role.
var monitoringMetricsPublisherRoleId = '3913510d-42f4-4e42-8a64-420c390055eb'
// Not assigned: Storage Table Data Contributor. Tributary uses no tables, and the Functions runtime uses
// Table storage only for Durable Functions (not used) and optional diagnostic events, so host storage is
// configured without a table endpoint.

resource storageAccount 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: storageAccountName
}

resource lakeAccount 'Microsoft.Storage/storageAccounts@2025-06-01' existing = {
  name: lakeAccountName
}

resource keyVault 'Microsoft.KeyVault/vaults@2025-05-01' existing = {
  name: keyVaultName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource storageBlobDataOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount.id, principalId, storageBlobDataOwnerRoleId)
  scope: storageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataOwnerRoleId)
    principalId: principalId
    principalType: principalType
  }
}

resource storageQueueDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount.id, principalId, storageQueueDataContributorRoleId)
  scope: storageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageQueueDataContributorRoleId)
    principalId: principalId
    principalType: principalType
  }
}

resource lakeBlobDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(lakeAccount.id, principalId, storageBlobDataContributorRoleId)
  scope: lakeAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributorRoleId)
    principalId: principalId
    principalType: principalType
  }
}

resource keyVaultSecretsOfficer 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(keyVault.id, principalId, keyVaultSecretsOfficerRoleId)
  scope: keyVault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsOfficerRoleId)
    principalId: principalId
    principalType: principalType
  }
}

resource monitoringMetricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, principalId, monitoringMetricsPublisherRoleId)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisherRoleId)
    principalId: principalId
    principalType: principalType
  }
}
