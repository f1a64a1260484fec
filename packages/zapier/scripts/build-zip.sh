#!/usr/bin/env bash
# Builds build/build.zip for `zapier-platform upload` (needs the npm registry, not zapier.com).
# @tokpipe/core is an unpublished workspace package, which `zapier-platform build` cannot install, so
# the app is staged outside the workspace with core packed as a tarball dependency (verified recipe in
# ../shared/reference/zapier-platform.md §1.5). The compiled dist/ is shipped as built here.
# Usage: build-zip.sh          → build/build.zip         (direct mode: TikTok OAuth, index.js)
#        build-zip.sh server   → server-app/build/build.zip (via tokpipe server: its own integration)
set -euo pipefail
VARIANT="${1:-direct}"
[ "$VARIANT" = direct ] || [ "$VARIANT" = server ] || { echo "build-zip: unknown app '$VARIANT' (direct|server)" >&2; exit 2; }
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
APP="$ROOT/packages/zapier"
bash "$ROOT/scripts/tools/zapier.sh"
export PATH="$ROOT/.tools/zapier/node_modules/.bin:$PATH" # Node 22 + zapier-platform

"$ROOT/node_modules/.bin/tsc" -b "$ROOT/packages/core" "$APP"
STAGE="$(mktemp -d)"
trap '[ -n "${KEEP_STAGE:-}" ] || rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE/vendor"
(cd "$ROOT" && npm pack -w @tokpipe/core --pack-destination "$STAGE/vendor" --silent >/dev/null)
CORE_TGZ="$(cd "$STAGE/vendor" && ls tokpipe-core-*.tgz)"
tar -C "$APP" --exclude=node_modules --exclude=build --exclude=src --exclude=test --exclude=server-app --exclude=tsconfig.json --exclude='*.tsbuildinfo' -cf - . | tar -C "$STAGE" -xf -
OUT="$APP/build"
if [ "$VARIANT" = server ]; then
  # Same dist/, the server-mode definition as the entry point, server-app's .zapierapprc (its app id once registered).
  printf "module.exports = require('./dist/server.js');\n" > "$STAGE/index.js"
  cp "$APP/server-app/.zapierapprc" "$STAGE/.zapierapprc"
  OUT="$APP/server-app/build" # where `zapier-platform upload` run in server-app/ looks
fi
cd "$STAGE"
npm pkg set "dependencies.@tokpipe/core=file:vendor/$CORE_TGZ" "scripts._zapier-build=echo dist is prebuilt"
npm pkg delete devDependencies
npm install --omit=dev --no-audit --no-fund --loglevel=error
zapier-platform build --skip-validation ${ZAPIER_BUILD_FLAGS:-}
mkdir -p "$OUT"
cp build/build.zip build/source.zip "$OUT/"
echo "build-zip: $OUT/build.zip"
