#!/usr/bin/env bash
# Packs the built package exactly as it would be published and runs n8n's scanner on the tarball.
set -euo pipefail
PKG="$(cd "$(dirname "$0")/.." && pwd)"
ROOT="$(cd "$PKG/../.." && pwd)"
SCANNER="$ROOT/.tools/n8n/devtools/node_modules/@n8n/scan-community-package"
[ -d "$SCANNER" ] || bash "$ROOT/scripts/tools/n8n.sh"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
node "$PKG/scripts/pack.mjs" "$OUT" >/dev/null
mkdir "$OUT/pkg" && tar xzf "$OUT"/n8n-nodes-tokpipe-*.tgz -C "$OUT/pkg" --strip-components=1
NODE_ENV=production node "$PKG/scripts/scan.mjs" "$OUT/pkg" "$SCANNER"
