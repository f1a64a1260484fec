#!/usr/bin/env bash
# Installs the heavy n8n tooling under .tools/n8n/ (git-ignored, never a workspace dependency):
#   .tools/n8n/harness   n8n@1.123.50, the real n8n the e2e test runs against
#   .tools/n8n/devtools  @n8n/node-cli (n8n-node lint) and @n8n/scan-community-package (offline scan)
# Idempotent: each part is skipped when its pinned version is already installed.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
TOOLS="$ROOT/.tools/n8n"
N8N_VERSION=1.123.50
NODE_CLI_VERSION=0.48.3
SCANNER_VERSION=0.32.0
LOCK=/tmp/tokpipe-npm.lock

installed_version() { # <prefix> <package>
  node -p "require('$1/node_modules/$2/package.json').version" 2>/dev/null || true
}

mkdir -p "$TOOLS/harness" "$TOOLS/devtools"

if [ "$(installed_version "$TOOLS/harness" n8n)" != "$N8N_VERSION" ]; then
  echo "n8n.sh: installing n8n@$N8N_VERSION into .tools/n8n/harness (a few minutes)"
  # xlsx: n8n-nodes-base points at cdn.sheetjs.com, unreachable here; the registry's 0.18.5 works.
  printf '{"name":"tokpipe-n8n-harness","private":true,"overrides":{"xlsx":"0.18.5"}}\n' > "$TOOLS/harness/package.json"
  flock "$LOCK" npm install --prefix "$TOOLS/harness" --no-audit --no-fund --loglevel=error "n8n@$N8N_VERSION"
else
  echo "n8n.sh: n8n@$N8N_VERSION already installed"
fi

if [ "$(installed_version "$TOOLS/devtools" @n8n/node-cli)" != "$NODE_CLI_VERSION" ] ||
   [ "$(installed_version "$TOOLS/devtools" @n8n/scan-community-package)" != "$SCANNER_VERSION" ]; then
  echo "n8n.sh: installing @n8n/node-cli@$NODE_CLI_VERSION and @n8n/scan-community-package@$SCANNER_VERSION"
  printf '{"name":"tokpipe-n8n-devtools","private":true}\n' > "$TOOLS/devtools/package.json"
  # --ignore-scripts: eslint-plugin-n8n-nodes-base's `preinstall: npx only-allow pnpm` stops npm without a TTY,
  # and isolated-vm (pulled in by node-cli's AI SDK) does not compile on Node 20. Neither is needed to lint or scan.
  flock "$LOCK" npm install --prefix "$TOOLS/devtools" --ignore-scripts --no-audit --no-fund --loglevel=error \
    "@n8n/node-cli@$NODE_CLI_VERSION" "@n8n/scan-community-package@$SCANNER_VERSION" \
    "n8n-workflow@1.120.14" "typescript@5.9.3" "eslint@9.39.4"
else
  echo "n8n.sh: n8n devtools already installed"
fi
