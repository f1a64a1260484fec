#!/usr/bin/env bash
# n8n's own linter (`n8n-node lint`, @n8n/node-cli 0.48.3) on this package's sources.
# The CLI lives under .tools/n8n/devtools (never a workspace dependency), so the sources are linted from a
# copy placed there, where `import '@n8n/node-cli/eslint'` resolves. eslint.config.mjs is the unmodified starter one.
set -euo pipefail
PKG="$(cd "$(dirname "$0")/.." && pwd)"
ROOT="$(cd "$PKG/../.." && pwd)"
DEV="$ROOT/.tools/n8n/devtools"
[ -x "$DEV/node_modules/.bin/n8n-node" ] || bash "$ROOT/scripts/tools/n8n.sh"
WORK="$DEV/work/n8n-nodes-tokpipe"
rm -rf "$WORK" && mkdir -p "$WORK/node_modules/@tokpipe"
cp -r "$PKG/package.json" "$PKG/eslint.config.mjs" "$PKG/credentials" "$PKG/nodes" "$WORK/"
ln -s "$ROOT/packages/core" "$WORK/node_modules/@tokpipe/core"
# The starter's tsconfig (ours extends the monorepo's shared config, which is not copied).
cat > "$WORK/tsconfig.json" <<'JSON'
{ "compilerOptions": { "strict": true, "module": "commonjs", "moduleResolution": "node", "target": "es2019",
    "lib": ["es2019", "es2020", "es2022.error"], "esModuleInterop": true, "skipLibCheck": true, "resolveJsonModule": true,
    "types": ["node"], "typeRoots": ["../../node_modules/@types", "../../../../../node_modules/@types"], "noEmit": true },
  "include": ["credentials/**/*", "nodes/**/*", "nodes/**/*.json", "package.json"] }
JSON
# NODE_ENV=test (as under jest) switches eslint-plugin-n8n-nodes-base into its own self-test file matching.
cd "$WORK" && NODE_ENV=production "$DEV/node_modules/.bin/n8n-node" lint
