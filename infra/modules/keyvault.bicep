// Key Vault for connector secrets. Access is by Azure RBAC only (no access policies); soft delete and
// purge protection keep a deleted secret, or the whole vault, recoverable for the retention period.

@description('Name of the vault (3-24 letters, digits and hyphens).')
@minLength(3)
@maxLength(24)
param name string

@description('Region for the vault.')
param location string

@description('Tags applied to the vault.')
param tags object

@description('Days a deleted vault or secret stays recoverable. With purge protection on, a deleted vault keeps its name for this long.')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int

resource keyVault 'Microsoft.KeyVault/vaults@2025-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    enablePurgeProtection: true
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

@description('Name of the vault.')
output name string = keyVault.name

@description('Vault URI, for the Tributary__KeyVaultUri setting.')
output uri string = keyVault.properties.vaultUri
