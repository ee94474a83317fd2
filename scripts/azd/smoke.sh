#!/bin/sh
# Smoke check of the deployed app, run by the postdeploy hook (by hand: `azd env get-values` into the environment,
# then `sh scripts/azd/smoke.sh`). It proves what the offline suite cannot:
#   1. /api/health is healthy: settings valid, Key Vault references resolved, storage reachable;
#   2. an anonymous call to a protected route gets 401 (function keys are enforced; App Service authentication lets
#      anonymous calls through to the host by design, see docs/deployment.md);
#   3. the Event Grid webhook answers a subscription validation handshake when called with its system key.
set -eu

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
. "$here/lib.sh"
require_az smoke

base="${AZURE_FUNCTION_APP_URL:?AZURE_FUNCTION_APP_URL is missing: run this through azd (it is an output of infra/main.bicep).}"
app_name="${AZURE_FUNCTION_APP_NAME:?AZURE_FUNCTION_APP_NAME is missing: run this through azd.}"
group="${AZURE_RESOURCE_GROUP:?AZURE_RESOURCE_GROUP is missing: run this through azd.}"
attempts="${PLA_HOOK_ATTEMPTS:-20}"
delay="${PLA_HOOK_RETRY_SECONDS:-15}"
function_name="$(resource_events_function "$root")"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT INT TERM
body="$work/body"

fail() {
  echo "smoke: $1" >&2
  exit 1
}

# 1. Health, retried: a fresh deployment cold-starts and resolves its Key Vault references first.
attempt=1
while :; do
  status="$(curl -sS -o "$body" -w '%{http_code}' --max-time 60 "$base/api/health" 2>/dev/null || true)"
  if [ "$status" = "200" ] && grep -q '"healthy"' "$body"; then break; fi
  if [ "$attempt" -ge "$attempts" ]; then
    fail "SMOKE_UNHEALTHY: $base/api/health answered ${status:-nothing}: $(head -c 2000 "$body" 2>/dev/null || true). Fix what it names (docs/deployment.md, troubleshooting), then run 'azd deploy' again."
  fi
  attempt=$((attempt + 1))
  sleep "$delay"
done
echo "smoke: /api/health is healthy."

# 2. No key, no token: the host must refuse.
status="$(curl -sS -o /dev/null -w '%{http_code}' --max-time 60 "$base/api/connections" 2>/dev/null || true)"
[ "$status" = "401" ] ||
  fail "SMOKE_ANONYMOUS_NOT_REFUSED: an anonymous GET $base/api/connections answered ${status:-nothing}, not 401: check the functions' authLevel and the site's authsettingsV2 before anyone relies on this deployment."
echo "smoke: an anonymous call to /api/connections gets 401."

# 3. The Event Grid handshake with the system key (created when the host first loads the Event Grid extension).
attempt=1
while :; do
  key="$(az functionapp keys list --name "$app_name" --resource-group "$group" \
    --query systemKeys.eventgrid_extension -o tsv 2>/dev/null || true)"
  [ -n "$key" ] && break
  [ "$attempt" -ge "$attempts" ] &&
    fail "SMOKE_NO_EVENTGRID_KEY: $app_name has no eventgrid_extension system key: check that '$function_name' is deployed ('az functionapp function list'), then run 'azd deploy' again."
  attempt=$((attempt + 1))
  sleep "$delay"
done
# The key goes in a file read by curl, never on a command line.
umask 077
printf 'header = "x-functions-key: %s"\n' "$key" >"$work/curl.conf"
code="smoke-$(date +%s)-$$"
now="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
status="$(curl -sS -K "$work/curl.conf" -o "$body" -w '%{http_code}' --max-time 60 -X POST \
  -H 'Content-Type: application/json' -H 'aeg-event-type: SubscriptionValidation' \
  --data "[{\"id\":\"$code\",\"topic\":\"/subscriptions/00000000-0000-0000-0000-000000000000\",\"subject\":\"\",\"data\":{\"validationCode\":\"$code\"},\"eventType\":\"Microsoft.EventGrid.SubscriptionValidationEvent\",\"eventTime\":\"$now\",\"metadataVersion\":\"1\",\"dataVersion\":\"2\"}]" \
  "$base/runtime/webhooks/eventgrid?functionName=$function_name" 2>/dev/null || true)"
if [ "$status" != "200" ] || ! grep -q "\"validationResponse\" *: *\"$code\"" "$body"; then
  fail "SMOKE_EVENTGRID_HANDSHAKE_FAILED: the Event Grid webhook answered ${status:-nothing}: $(head -c 500 "$body" 2>/dev/null || true). Keep /runtime/webhooks/eventgrid reachable (authsettingsV2) and '$function_name' deployed."
fi
echo "smoke: the Event Grid webhook completes the validation handshake."
