#!/usr/bin/env bash
# Installs the Zapier CLI under .tools/zapier/ (git-ignored, never a workspace dependency):
#   .tools/zapier/node_modules/.bin/node             Node 22 from the npm `node@22` package (the CLI refuses Node < 22)
#   .tools/zapier/node_modules/.bin/zapier-platform  zapier-platform-cli, run with that Node 22
# The workspace itself stays on the system Node (20). Idempotent: skipped when the pinned versions are present.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
TOOLS="$ROOT/.tools/zapier"
NODE_VERSION=22.23.3
CLI_VERSION=19.1.0
LOCK=/tmp/tokpipe-npm.lock

installed_version() { # <package>
  node -p "require('$TOOLS/node_modules/$1/package.json').version" 2>/dev/null || true
}

mkdir -p "$TOOLS"
if [ "$(installed_version node)" != "$NODE_VERSION" ] || [ "$(installed_version zapier-platform-cli)" != "$CLI_VERSION" ]; then
  echo "zapier.sh: installing node@$NODE_VERSION and zapier-platform-cli@$CLI_VERSION into .tools/zapier (about a minute)"
  # Its own package.json so npm treats the prefix as a project, not as part of the workspace above it.
  printf '{"name":"tokpipe-zapier-tools","private":true}\n' > "$TOOLS/package.json"
  flock "$LOCK" npm install --prefix "$TOOLS" --no-audit --no-fund --loglevel=error \
    "node@$NODE_VERSION" "zapier-platform-cli@$CLI_VERSION"
else
  echo "zapier.sh: node@$NODE_VERSION and zapier-platform-cli@$CLI_VERSION already installed"
fi
"$TOOLS/node_modules/.bin/node" --version >/dev/null
