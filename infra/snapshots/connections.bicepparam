// Parameters for the committed deployment snapshot of an app with connections of its own: two connections of one
// connector, one with a schema and configuration of its own, and one on demand only that names the lake though PostgreSQL is deployed. Regenerate with the command in
// default.bicepparam, naming this file.
using '../main.bicep'

param environmentName = 'tributary-snapshot'
param location = 'westeurope'
param principalId = '33333333-3333-3333-3333-333333333333'
param postgresEnabled = true
param connections = [
  {
    id: 'synthetic_small'
    connector: 'synthetic'
    schedule: '0 */15 * * * *'
    configuration: {
      rows: '1000'
    }
  }
  {
    id: 'synthetic_large'
    connector: 'synthetic'
    schedule: '0 30 2 * * *'
    enabled: false
    destination: 'postgres'
    schema: 'synthetic_archive'
    configuration: {
      rows: '200000'
      checkpoint_every: '10000'
    }
  }
  {
    id: 'hello'
    destination: 'delta'
  }
]
