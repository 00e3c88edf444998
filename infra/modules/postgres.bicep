// Optional Azure Database for PostgreSQL flexible server for the PostgreSQL destination. Entra
// authentication only (password authentication is off), with the app's managed identity as an
// Entra administrator so the app can create its schemas and tables with a token.

@description('Name of the server.')
param name string

@description('Region for the server.')
param location string

@description('Tags applied to the server.')
param tags object

@description('Database the connectors write to.')
param databaseName string

@description('Name of the app identity; it becomes the PostgreSQL role name of that identity.')
param administratorName string

@description('Object id of the app identity.')
param administratorPrincipalId string

@description('PostgreSQL major version.')
param version string

@description('Compute size; Burstable B1ms is the smallest that runs Tributary.')
param skuName string

@description('Compute tier matching skuName.')
@allowed([
  'Burstable'
  'GeneralPurpose'
  'MemoryOptimized'
])
param skuTier string

@description('Storage size in GiB.')
param storageSizeGB int

resource server 'Microsoft.DBforPostgreSQL/flexibleServers@2024-08-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
    tier: skuTier
  }
  properties: {
    version: version
    storage: {
      storageSizeGB: storageSizeGB
      autoGrow: 'Disabled'
    }
    backup: {
      backupRetentionDays: 7
      geoRedundantBackup: 'Disabled'
    }
    highAvailability: {
      mode: 'Disabled'
    }
    network: {
      publicNetworkAccess: 'Enabled'
    }
    authConfig: {
      activeDirectoryAuth: 'Enabled'
      passwordAuth: 'Disabled'
      tenantId: subscription().tenantId
    }
  }
}

// Flex Consumption apps without a virtual network connect from Azure's shared outbound addresses.
// This rule admits connections from inside Azure only; every login still needs an Entra token.
resource allowAzureServices 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2024-08-01' = {
  parent: server
  name: 'AllowAllAzureServicesAndResourcesWithinAzureIps'
  properties: {
    startIpAddress: '0.0.0.0'
    endIpAddress: '0.0.0.0'
  }
}

// The server accepts one change at a time, so the children are created one after another.
resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2024-08-01' = {
  parent: server
  name: databaseName
  properties: {
    charset: 'UTF8'
    collation: 'en_US.utf8'
  }
  dependsOn: [
    allowAzureServices
  ]
}

resource appIdentityAdministrator 'Microsoft.DBforPostgreSQL/flexibleServers/administrators@2024-08-01' = {
  parent: server
  name: administratorPrincipalId
  properties: {
    principalType: 'ServicePrincipal'
    principalName: administratorName
    tenantId: subscription().tenantId
  }
  dependsOn: [
    database
  ]
}

@description('Fully qualified host name of the server.')
output host string = server.properties.fullyQualifiedDomainName

@description('Name of the database.')
output databaseName string = database.name
