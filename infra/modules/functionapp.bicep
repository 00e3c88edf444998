// The Flex Consumption plan and the Function App (Linux, dotnet-isolated 10.0). The app runs as the
// user-assigned identity; the deployment package is read from a blob container with that identity.

@description('Name of the Flex Consumption plan.')
param planName string

@description('Name of the Function App.')
param name string

@description('Region for the plan and the app.')
param location string

@description('Tags applied to the plan; the app also gets the azd-service-name tag.')
param tags object

@description('azd service name from azure.yaml; azd finds the app to deploy to by this tag.')
param serviceName string

@description('Resource id of the user-assigned identity the app runs as.')
param identityResourceId string

@description('Client id of that identity, for Application Insights Entra authentication.')
param identityClientId string

@description('Blob endpoint of the storage account that holds the deployment container.')
param storageBlobEndpoint string

@description('Container the deployment package is uploaded to.')
param deploymentContainerName string

@description('Application Insights component (local auth off) the app sends telemetry to.')
param applicationInsightsName string

@description('App settings as name/value pairs, without the Application Insights pair and the DuckDB folder this module adds.')
param appSettings object

@description('Most instances the app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Memory per instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// The connection string names the ingestion endpoint and the component; it carries no credential.
// With local auth off on the component, ingestion also needs an Entra token for the app identity,
// which the authentication string tells the runtime to get.
var monitoringSettings = {
  APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
}

// Tributary__Files is the host's local folder (a DuckDB warehouse, if one is allowed). The app folder is read-only on Flex
// Consumption, so this points at the instance's temporary disk: anything there is lost whenever the instance is recycled
// and never shared between instances. That is why the host refuses the duckdb destination on Azure (unless
// Tributary__Destination__DuckDb__AllowEphemeral=true, for demos); the Delta Lake and PostgreSQL keep data.
var runtimeSettings = {
  Tributary__Files: '/tmp/tributary'
}

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityResourceId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityResourceId
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      appSettings: map(items(union(runtimeSettings, appSettings, monitoringSettings)), setting => {
        name: setting.key
        value: setting.value
      })
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityResourceId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }

  // No publishing with user names and passwords: azd deploys with an Entra token.
  resource ftpPublishing 'basicPublishingCredentialsPolicies' = {
    name: 'ftp'
    properties: {
      allow: false
    }
  }

  resource scmPublishing 'basicPublishingCredentialsPolicies' = {
    name: 'scm'
    properties: {
      allow: false
    }
  }
}

@description('Name of the Function App.')
output name string = functionApp.name

@description('Default host name of the Function App.')
output defaultHostName string = functionApp.properties.defaultHostName
