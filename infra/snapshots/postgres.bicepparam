// Parameters for the committed deployment snapshot with the optional PostgreSQL server, deployed by a
// pipeline principal. Regenerate with the command in default.bicepparam, naming this file.
using '../main.bicep'

param environmentName = 'tributary-snapshot'
param location = 'westeurope'
param principalId = '22222222-2222-2222-2222-222222222222'
param principalType = 'ServicePrincipal'
param postgresEnabled = true
