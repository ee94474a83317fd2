#!/bin/sh
# azd postdeploy hook: subscribe each watched subscription's system topic to the deployed `resource-events`
# function (infra/event-subscriptions.bicep), then run the smoke check (scripts/azd/smoke.sh). It runs after the
# code deploy because Event Grid validates an AzureFunction destination against the functions that exist.
# Idempotent: the deployment re-puts the same state.
set -eu

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
. "$here/lib.sh"
require_az postdeploy
function_name="$(resource_events_function "$root")"

topics="${EVENT_GRID_SYSTEM_TOPICS:-[]}"
case "$(printf '%s' "$topics" | tr -d ' \n')" in
  "" | "[]" | "null")
    echo "postdeploy: no watched subscriptions (WATCHED_SUBSCRIPTIONS is empty); no event subscription to create."
    exec sh "$here/smoke.sh"
    ;;
esac

app_id="${AZURE_FUNCTION_APP_ID:?AZURE_FUNCTION_APP_ID is missing: run this through azd (it is an output of infra/main.bicep).}"
app_name="${AZURE_FUNCTION_APP_NAME:?AZURE_FUNCTION_APP_NAME is missing: run this through azd.}"
group="${AZURE_RESOURCE_GROUP:?AZURE_RESOURCE_GROUP is missing: run this through azd.}"
storage_id="${AZURE_STORAGE_ACCOUNT_ID:?AZURE_STORAGE_ACCOUNT_ID is missing: run this through azd.}"
container="${DEAD_LETTER_CONTAINER_NAME:-eventgrid-deadletter}"
location="${AZURE_LOCATION:?AZURE_LOCATION is missing: run this through azd.}"
attempts="${PLA_HOOK_ATTEMPTS:-20}"
delay="${PLA_HOOK_RETRY_SECONDS:-15}"

# The function index appears a little after the package lands; creating the subscription before that fails
# with "destination not found".
attempt=1
until az functionapp function show --name "$app_name" --resource-group "$group" \
  --function-name "$function_name" --query name -o tsv >/dev/null 2>&1; do
  if [ "$attempt" -ge "$attempts" ]; then
    echo "postdeploy: function '$function_name' is not listed on $app_name after $attempts attempts." >&2
    echo "postdeploy: check the deployment logs ('az functionapp log deployment show'), then run 'azd deploy' again." >&2
    exit 1
  fi
  attempt=$((attempt + 1))
  sleep "$delay"
done

params="$(mktemp)"
trap 'rm -f "$params"' EXIT INT TERM
cat >"$params" <<JSON
{
  "\$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {
    "functionAppId": { "value": "$app_id" },
    "deadLetterStorageAccountId": { "value": "$storage_id" },
    "deadLetterContainerName": { "value": "$container" },
    "topics": { "value": $topics }
  }
}
JSON

az deployment sub create \
  --name "plautopilot-event-subscriptions-${AZURE_ENV_NAME:-default}" \
  --location "$location" \
  --template-file "$root/infra/event-subscriptions.bicep" \
  --parameters "@$params" \
  --output none
echo "postdeploy: event subscriptions deployed to $app_name/$function_name."
sh "$here/smoke.sh"
