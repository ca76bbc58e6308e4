#!/usr/bin/env bash
# ensure-debian-package.sh <command or absolute path> <Debian package>
# What a suite needs from the machine (chromium for the editor specs, redis-server for the
# queue-mode specs): installed with apt-get when missing and running as root, so `npm test`
# needs no step of its own on a fresh Debian machine; elsewhere it says what to install.
# Prints the binary's path.
set -euo pipefail
WANTED="$1"
PACKAGE="$2"
found() { if [ "${WANTED#/}" != "$WANTED" ]; then [ -x "$WANTED" ] && echo "$WANTED"; else command -v "$WANTED"; fi; }
if ! found >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    exec 9>/tmp/contact-sync-apt.lock
    flock 9
    if ! found >/dev/null; then
      echo "[ensure-debian-package] apt-get install $PACKAGE" >&2
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq >&2
      apt-get install -y -qq "$PACKAGE" >&2
    fi
  else
    echo "[ensure-debian-package] no $WANTED: install Debian's $PACKAGE (apt-get install $PACKAGE)" >&2
    exit 1
  fi
fi
found
