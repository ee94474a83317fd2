#!/bin/sh
# azd preprovision hook: check the azd environment values infra/main.parameters.json passes to Bicep, and name each
# bad one with what to do, before ARM fails on them with an index error halfway through a deployment.
set -eu
# Values are data: never expand them as file patterns.
set -f

# The later hooks call az: find out now, not after the deployment.
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
require_az preprovision

problems=0
fail() {
  echo "preprovision: INFRA_SETTING_INVALID: $1" >&2
  problems=$((problems + 1))
}

guid='[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}'
group_id="^/subscriptions/$guid/resource[gG]roups/[-A-Za-z0-9._()]+$"

matches() { printf '%s' "$1" | grep -Eq "$2"; }

# Comma-separated list -> one trimmed item per line, blanks dropped.
items() { printf '%s' "$1" | tr ',' '\n' | sed 's/^[[:space:]]*//; s/[[:space:]]*$//' | grep -v '^$' || true; }

auth="${AUTH_CLIENT_ID:-}"
if ! matches "$auth" "^$guid$"; then
  fail "AUTH_CLIENT_ID must be the client id (a GUID) of the Entra app registration that protects the API: azd env set AUTH_CLIENT_ID <guid> (docs/deployment.md, prerequisites)."
fi

managed="${MANAGED_RESOURCE_GROUP_IDS:-}"
if [ -z "$(items "$managed")" ]; then
  fail "MANAGED_RESOURCE_GROUP_IDS is empty: azd env set MANAGED_RESOURCE_GROUP_IDS /subscriptions/<guid>/resourceGroups/<name>[,...]."
fi
for id in $(items "$managed"); do
  matches "$id" "$group_id" || fail "MANAGED_RESOURCE_GROUP_IDS has '$id', which is not a resource group id: use /subscriptions/<guid>/resourceGroups/<name>."
done

dns="${DNS_ZONES_RESOURCE_GROUP_ID:-}"
matches "$dns" "$group_id" || fail "DNS_ZONES_RESOURCE_GROUP_ID must be the resource group id of the central private DNS zones: /subscriptions/<guid>/resourceGroups/<name>."

for item in $(items "${WATCHED_SUBSCRIPTIONS:-}"); do
  matches "$item" "^$guid(/[-A-Za-z0-9._()]+/[-A-Za-z0-9_]{3,128})?$" ||
    fail "WATCHED_SUBSCRIPTIONS has '$item': give a subscription id, or <subscription id>/<resource group>/<system topic name> to reuse a topic."
done

if [ -z "$(items "${APPROVERS:-}")" ]; then
  fail "APPROVERS is empty: azd env set APPROVERS someone@example.com[,...] (who approves connections by email)."
fi

if [ "$problems" -gt 0 ]; then
  echo "preprovision: $problems setting(s) to fix with 'azd env set', then run 'azd up' again." >&2
  exit 1
fi
echo "preprovision: settings look right."
