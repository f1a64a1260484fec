#!/usr/bin/env bash
# Builds build/build.zip for `zapier-platform upload` (needs the npm registry, not zapier.com).
# @tokpipe/core is an unpublished workspace package, which `zapier-platform build` cannot install, so
# the app is staged outside the workspace with core packed as a tarball dependency (verified recipe in
# ../shared/reference/zapier-platform.md §1.5). The compiled dist/ is shipped as built here.
set -euo pipefail
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
tar -C "$APP" --exclude=node_modules --exclude=build --exclude=src --exclude=test --exclude=tsconfig.json --exclude='*.tsbuildinfo' -cf - . | tar -C "$STAGE" -xf -
cd "$STAGE"
npm pkg set "dependencies.@tokpipe/core=file:vendor/$CORE_TGZ" "scripts._zapier-build=echo dist is prebuilt"
npm pkg delete devDependencies
npm install --omit=dev --no-audit --no-fund --loglevel=error
zapier-platform build --skip-validation ${ZAPIER_BUILD_FLAGS:-}
mkdir -p "$APP/build"
cp build/build.zip build/source.zip "$APP/build/"
echo "build-zip: $APP/build/build.zip"
