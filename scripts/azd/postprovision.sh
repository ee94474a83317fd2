#!/bin/sh
# azd postprovision hook: make sure the approval-token signing key exists in Key Vault.
# Created once with a CSPRNG and never overwritten here, so a re-provision does not invalidate approval links.
# Rotation is a deliberate operator step (docs/deployment.md).
set -eu

. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
require_az postprovision

vault="${AZURE_KEY_VAULT_NAME:?AZURE_KEY_VAULT_NAME is missing: run this through azd (it is an output of infra/main.bicep).}"
secret="${APPROVAL_SIGNING_KEY_SECRET_NAME:-approval-signing-key}"
attempts="${PLA_HOOK_ATTEMPTS:-10}"
delay="${PLA_HOOK_RETRY_SECONDS:-15}"

attempt=1
while :; do
  if out="$(az keyvault secret show --vault-name "$vault" --name "$secret" --query id -o tsv 2>&1)"; then
    echo "postprovision: signing key '$secret' already exists in $vault; left unchanged."
    exit 0
  fi
  case "$out" in
    *SecretNotFound* | *"was not found"*) break ;;
  esac
  # Anything else (typically Forbidden while a new role assignment propagates) is retried, never treated as absent:
  # treating it as absent would overwrite a live key.
  if [ "$attempt" -ge "$attempts" ]; then
    echo "postprovision: cannot read secret '$secret' in $vault after $attempts attempts: $out" >&2
    echo "postprovision: check that you hold Key Vault Secrets Officer on $vault (AZURE_PRINCIPAL_ID), then run 'azd provision' again." >&2
    exit 1
  fi
  attempt=$((attempt + 1))
  sleep "$delay"
done

keyfile="$(mktemp)"
trap 'rm -f "$keyfile"' EXIT INT TERM
chmod 600 "$keyfile"
# 48 random bytes, base64: the key never appears on a command line or in a log.
openssl rand -base64 48 | tr -d '\n' >"$keyfile"

attempt=1
until az keyvault secret set --vault-name "$vault" --name "$secret" --file "$keyfile" --encoding utf-8 \
  --content-type "base64 HMAC key" --output none; do
  if [ "$attempt" -ge "$attempts" ]; then
    echo "postprovision: could not create secret '$secret' in $vault. Check Key Vault Secrets Officer on the vault and run 'azd provision' again." >&2
    exit 1
  fi
  attempt=$((attempt + 1))
  sleep "$delay"
done
echo "postprovision: created signing key '$secret' in $vault."
