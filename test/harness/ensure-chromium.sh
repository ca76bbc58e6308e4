#!/usr/bin/env bash
# The editor specs drive Debian's chromium (playwright-core downloads no browser).
# Installs it when missing, so `npm test` needs no step of its own on a fresh
# Debian machine; elsewhere it says what to install. Prints the binary's path.
set -euo pipefail
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    exec 9>/tmp/contact-sync-apt.lock
    flock 9
    if [ ! -x "$CHROMIUM" ]; then
      echo "[ensure-chromium] apt-get install chromium" >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >&2
      apt-get install -y -qq chromium >&2
    fi
  else
    echo "[ensure-chromium] no $CHROMIUM: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH" >&2
    exit 1
  fi
fi
echo "$CHROMIUM"
