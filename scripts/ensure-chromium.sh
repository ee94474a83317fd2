#!/usr/bin/env bash
# The browser tests drive Debian's headless Chromium (no browser download at install or test time).
# Installs it with apt-get when it is missing and we may; otherwise says what to do.
set -euo pipefail
command -v chromium >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "The browser tests need Debian's chromium: run 'sudo apt-get install chromium', then npm test again." >&2
exit 1
