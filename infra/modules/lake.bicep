// The lake: an ADLS Gen2 account (a storage account with the hierarchical namespace on) holding the Delta Lake tables the
// connectors write, one per destination table at `<container>/<schema>/<table>/`. It is billed per byte stored and per
// transaction: nothing while idle, and nothing is lost when a Function App instance is recycled. It is its own account,
// apart from the runtime's storage, so its data role, lifecycle and analytics access are granted on the lake alone.
// Shared-key access, anonymous access and TLS below 1.2 are off: the app writes with its managed identity, and readers
// (Fabric, Databricks, Synapse) sign in with Entra.

@description('Name of the storage account (3-24 lower-case letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Region for the account.')
param location string

@description('Tags applied to the account.')
param tags object

@description('Blob container (an ADLS Gen2 file system) that holds the Delta tables.')
param containerName string

resource lakeAccount 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    // ADLS Gen2: real folders, atomic renames and the dfs endpoint that Spark, Fabric and Synapse read with abfss://.
    isHnsEnabled: true
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }

  resource blobService 'blobServices' = {
    name: 'default'

    resource lakeContainer 'containers' = {
      name: containerName
      properties: {
        publicAccess: 'None'
      }
    }
  }
}

@description('Name of the lake account.')
output name string = lakeAccount.name

@description('Blob endpoint of the lake account; the Delta destination speaks the Blob API, which ADLS Gen2 also serves.')
output blobEndpoint string = lakeAccount.properties.primaryEndpoints.blob

@description('Data Lake (dfs) endpoint of the lake account, for readers that use abfss:// or the dfs URL.')
output dfsEndpoint string = lakeAccount.properties.primaryEndpoints.dfs

@description('Name of the container that holds the Delta tables.')
output containerName string = lakeAccount::blobService::lakeContainer.name
