#!/usr/bin/env bash
# Compiles the extension against the newest @types/vscode on npm as well as the declared minimum the project builds
# with (devDependencies pin @types/vscode to engines.vscode, so no newer API slips in): an API the extension uses that
# a later VS Code changed or removed fails here first. The newest types go to a temp dir, not to package.json.
#
#   scripts/check-vscode-types.sh [version]      (default: latest)
set -euo pipefail
cd "$(dirname "$0")/.."

version="${1:-latest}"
work="$(mktemp -d "${TMPDIR:-/tmp}/flink-checkpoints-vscode-types.XXXXXX")"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm init -y >/dev/null && npm install --no-audit --no-fund --silent "@types/vscode@$version" </dev/null)
resolved="$(node -p "require('$work/node_modules/@types/vscode/package.json').version")"
# The project's own tsconfig, with `vscode` resolved to the newest types; only the sources that import vscode.
cat >"$work/tsconfig.json" <<JSON
{
  "extends": "$PWD/tsconfig.json",
  "compilerOptions": {
    "noEmit": true,
    "baseUrl": "$PWD",
    "typeRoots": ["$PWD/node_modules/@types"],
    "paths": { "vscode": ["$work/node_modules/@types/vscode/index.d.ts"] }
  },
  "include": ["$PWD/src/**/*.ts", "$PWD/test/integration/**/*.ts"]
}
JSON
# --listFiles proves the newest types were the ones compiled against; on errors only the diagnostics are printed.
if ! files="$(npx tsc -p "$work/tsconfig.json" --listFiles)"; then
  grep -v "^/" <<<"$files" >&2
  exit 1
fi
grep -qx "$work/node_modules/@types/vscode/index.d.ts" <<<"$files" || { echo "check-vscode-types: @types/vscode $resolved was not used" >&2; exit 1; }
echo "the extension compiles against @types/vscode $resolved (declared minimum: $(node -p "require('./node_modules/@types/vscode/package.json').version"))"
