// Parameters for the committed deployment snapshot of the default deployment (no PostgreSQL).
// Regenerate with: bicep snapshot infra/snapshots/default.bicepparam --subscription-id 00000000-0000-0000-0000-000000000000 --tenant-id 00000000-0000-0000-0000-000000000000 --location westeurope --deployment-name tributary
using '../main.bicep'

param environmentName = 'tributary-snapshot'
param location = 'westeurope'
param principalId = '11111111-1111-1111-1111-111111111111'
