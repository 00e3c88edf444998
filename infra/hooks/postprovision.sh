#!/bin/sh
# azd postprovision hook: writes src/FunctionsHost/local.settings.json from the values `azd provision`
# just produced, so `func start` on a developer's machine runs against the Azure resources.
# Connections carry no __credential / __clientId: locally the Functions host and the Azure SDK use the
# developer's Entra login (az login / azd auth login), which infra/main.bicep gave the same data roles.
set -eu

if [ "${CI:-}" = "true" ] || [ -n "${GITHUB_ACTIONS:-}" ]; then
  echo "postprovision: CI run, local.settings.json not written."
  exit 0
fi

for name in AZURE_STORAGE_BLOB_ENDPOINT AZURE_STORAGE_QUEUE_ENDPOINT AZURE_KEY_VAULT_ENDPOINT; do
  eval "value=\${$name:-}"
  if [ -z "$value" ]; then
    echo "postprovision: $name is not set; run 'azd provision' first." >&2
    exit 1
  fi
done

root=$(CDPATH='' cd -- "$(dirname -- "$0")/../.." && pwd)
target="$root/src/FunctionsHost/local.settings.json"
mkdir -p "$(dirname -- "$target")"

# "name": "value", with backslashes and quotes escaped for JSON.
pair() {
  escaped=$(printf '%s' "$2" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')
  printf '    "%s": "%s"' "$1" "$escaped"
}

# TRIBUTARY_CONNECTION_SETTINGS is the Bicep output object of the connections' settings (Connections__<id>__…), stored by azd
# as JSON: splice its members into Values.
connections=$(printf '%s\n' "${TRIBUTARY_CONNECTION_SETTINGS:-}" | sed -e 's/^[[:space:]]*{//' -e 's/}[[:space:]]*$//')

{
  printf '{\n  "IsEncrypted": false,\n  "Values": {\n'
  pair FUNCTIONS_WORKER_RUNTIME dotnet-isolated; printf ',\n'
  pair AzureWebJobsStorage__blobServiceUri "$AZURE_STORAGE_BLOB_ENDPOINT"; printf ',\n'
  pair AzureWebJobsStorage__queueServiceUri "$AZURE_STORAGE_QUEUE_ENDPOINT"; printf ',\n'
  pair TributaryStorage__blobServiceUri "$AZURE_STORAGE_BLOB_ENDPOINT"; printf ',\n'
  pair TributaryStorage__queueServiceUri "$AZURE_STORAGE_QUEUE_ENDPOINT"; printf ',\n'
  pair Tributary__StateStore__BlobServiceUri "$AZURE_STORAGE_BLOB_ENDPOINT"; printf ',\n'
  if [ -n "${TRIBUTARY_LAKE_URI:-}" ]; then
    pair Tributary__Destination__Delta__Uri "$TRIBUTARY_LAKE_URI"; printf ',\n'
  fi
  if [ -n "${POSTGRES_HOST:-}" ]; then
    pair Tributary__Destination__Postgres__Host "$POSTGRES_HOST"; printf ',\n'
    pair Tributary__Destination__Postgres__Database "${POSTGRES_DATABASE:-}"; printf ',\n'
  fi
  if [ -n "$(printf '%s' "$connections" | tr -d '[:space:]')" ]; then
    printf '%s,\n' "$connections"
  fi
  pair Tributary__KeyVaultUri "$AZURE_KEY_VAULT_ENDPOINT"; printf '\n'
  printf '  }\n}\n'
} > "$target"

echo "postprovision: wrote $target"
