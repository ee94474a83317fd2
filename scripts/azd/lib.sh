# Shared by the azd hooks (sourced, not run).

# Stops at once, with one sentence, when the Azure CLI the hooks call is missing, not signed in, or pointed at
# another subscription than the azd environment. `azd auth login` does not sign az in: azd and az keep separate
# logins (https://learn.microsoft.com/azure/developer/azure-developer-cli/reference#azd-auth-login).
require_az() {
  if ! command -v az >/dev/null 2>&1; then
    echo "$1: AZ_CLI_MISSING: the hooks need the Azure CLI (az): install it (https://learn.microsoft.com/cli/azure/install-azure-cli), run 'az login', then run azd again." >&2
    exit 1
  fi
  account="$(az account show --query id -o tsv 2>/dev/null || true)"
  if [ -z "$account" ]; then
    echo "$1: AZ_NOT_LOGGED_IN: the Azure CLI is not signed in ('azd auth login' does not sign az in): run 'az login', then run azd again." >&2
    exit 1
  fi
  wanted="${AZURE_SUBSCRIPTION_ID:-}"
  if [ -n "$wanted" ] && [ "$(printf '%s' "$account" | tr 'A-F' 'a-f')" != "$(printf '%s' "$wanted" | tr 'A-F' 'a-f')" ]; then
    echo "$1: AZ_WRONG_SUBSCRIPTION: az uses subscription $account but this azd environment deploys to $wanted: run 'az account set --subscription $wanted', then run azd again." >&2
    exit 1
  fi
}

# The Event Grid function's name, from the same data file the event subscription template reads.
resource_events_function() {
  sed -n 's/^ *"functionName": *"\([^"]*\)".*/\1/p' "$1/infra/events/resource-events-filter.json"
}
