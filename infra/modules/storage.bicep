// The one storage account Tributary needs: the Functions runtime's host storage, the Flex Consumption
// deployment package, the connector state (`tributary-state`) and the run queue (`tributary-runs`) with its
// poison queue. Shared-key access, anonymous blob access and TLS below 1.2 are all off, so only Entra
// identities with a data role can read or write anything.

@description('Name of the storage account (3-24 lower-case letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Region for the account.')
param location string

@description('Tags applied to the account.')
param tags object

@description('Blob container that holds the deployment package azd uploads for Flex Consumption.')
param deploymentContainerName string

@description('Blob container for connector state, its history, leases and run records.')
param stateContainerName string

@description('Queue that carries sync requests and continuations to the queue-triggered function; its poison queue is this name with `-poison`.')
param runsQueueName string

@description('Days a state history blob (blob index tag `tributary-retention=history`) is kept after it was written.')
@minValue(1)
@maxValue(36500)
param stateHistoryRetentionDays int

@description('Days a run record blob (blob index tag `tributary-retention=run`) is kept after it was last written.')
@minValue(1)
@maxValue(36500)
param runRecordRetentionDays int

// Webhook ids are remembered for the delivery's timestamp window (minutes); a day is far past it.
var webhookDeliveryRetentionDays = 1

// An ended sync's claim (`tributary-retention=sync`) de-duplicates its run messages, which live 7 days on the queue; a day more.
var syncClaimRetentionDays = 8

resource storageAccount 'Microsoft.Storage/storageAccounts@2025-06-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
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
    properties: {
      // Lets an accidentally deleted state blob be restored for a week.
      deleteRetentionPolicy: {
        enabled: true
        days: 7
      }
    }

    resource deploymentContainer 'containers' = {
      name: deploymentContainerName
      properties: {
        publicAccess: 'None'
      }
    }

    resource stateContainer 'containers' = {
      name: stateContainerName
      properties: {
        publicAccess: 'None'
      }
    }
  }

  // Deletes by age what the app also prunes (it keeps the newest N as well): state history and run records, found by the
  // blob index tag the app writes on them (their folders are per connection, so a prefix cannot single them out), and the
  // webhook ids remembered against replays, and the claims of syncs that have ended. The current state, leases, queued-run
  // markers and the claims of live syncs carry no tag and stay.
  resource lifecyclePolicy 'managementPolicies' = {
    name: 'default'
    properties: {
      policy: {
        rules: [
          {
            name: 'state-history'
            enabled: true
            type: 'Lifecycle'
            definition: {
              filters: {
                blobTypes: [
                  'blockBlob'
                ]
                prefixMatch: [
                  '${stateContainerName}/'
                ]
                blobIndexMatch: [
                  {
                    name: 'tributary-retention'
                    op: '=='
                    value: 'history'
                  }
                ]
              }
              actions: {
                baseBlob: {
                  delete: {
                    daysAfterModificationGreaterThan: stateHistoryRetentionDays
                  }
                }
              }
            }
          }
          {
            name: 'run-records'
            enabled: true
            type: 'Lifecycle'
            definition: {
              filters: {
                blobTypes: [
                  'blockBlob'
                ]
                prefixMatch: [
                  '${stateContainerName}/'
                ]
                blobIndexMatch: [
                  {
                    name: 'tributary-retention'
                    op: '=='
                    value: 'run'
                  }
                ]
              }
              actions: {
                baseBlob: {
                  delete: {
                    daysAfterModificationGreaterThan: runRecordRetentionDays
                  }
                }
              }
            }
          }
          {
            name: 'sync-claims'
            enabled: true
            type: 'Lifecycle'
            definition: {
              filters: {
                blobTypes: [
                  'blockBlob'
                ]
                prefixMatch: [
                  '${stateContainerName}/'
                ]
                blobIndexMatch: [
                  {
                    name: 'tributary-retention'
                    op: '=='
                    value: 'sync'
                  }
                ]
              }
              actions: {
                baseBlob: {
                  delete: {
                    daysAfterModificationGreaterThan: syncClaimRetentionDays
                  }
                }
              }
            }
          }
          {
            name: 'webhook-deliveries'
            enabled: true
            type: 'Lifecycle'
            definition: {
              filters: {
                blobTypes: [
                  'blockBlob'
                ]
                prefixMatch: [
                  '${stateContainerName}/webhook-deliveries/'
                ]
              }
              actions: {
                baseBlob: {
                  delete: {
                    daysAfterModificationGreaterThan: webhookDeliveryRetentionDays
                  }
                }
              }
            }
          }
        ]
      }
    }
  }

  resource queueService 'queueServices' = {
    name: 'default'

    resource runsQueue 'queues' = {
      name: runsQueueName
    }

    // Where the Functions host moves a run message after its last failed attempt; the RecordPoisonedRun function
    // reads it and leaves a failed run record. Declared so it exists before the first poisoned message.
    resource runsPoisonQueue 'queues' = {
      name: '${runsQueueName}-poison'
    }
  }
}

@description('Name of the storage account.')
output name string = storageAccount.name

@description('Blob service endpoint, for the `__blobServiceUri` connection settings.')
output blobEndpoint string = storageAccount.properties.primaryEndpoints.blob

@description('Queue service endpoint, for the `__queueServiceUri` connection settings.')
output queueEndpoint string = storageAccount.properties.primaryEndpoints.queue
