// The user-assigned managed identity the Function App runs as. Every data-plane connection the app makes
// (host storage, state blobs, the runs queue, Key Vault, Application Insights, PostgreSQL) authenticates
// as this identity; no key or connection string with a secret is ever issued.

@description('Name of the managed identity.')
param name string

@description('Region for the identity.')
param location string

@description('Tags applied to the identity.')
param tags object

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
  tags: tags
}

@description('Resource id, for attaching the identity to the Function App.')
output resourceId string = appIdentity.id

@description('Name, which is also the PostgreSQL role name of the identity.')
output name string = appIdentity.name

@description('Client (application) id, for the `__clientId` connection settings and AZURE_CLIENT_ID.')
output clientId string = appIdentity.properties.clientId

@description('Object (principal) id, for role assignments.')
output principalId string = appIdentity.properties.principalId
