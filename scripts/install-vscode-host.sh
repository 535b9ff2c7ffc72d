#!/usr/bin/env bash
# Installs the real VS Code the in-host and UI tiers run in: Debian's Chromium (driven by playwright-core), ripgrep and
# the Kerberos headers code-server's native modules build against, and code-server from npm into a project-local,
# git-ignored directory. Idempotent: a second run only checks and returns.
#
#   scripts/install-vscode-host.sh [min|current|all]
#
# Two VS Codes are tested, chosen by FLINK_CHECKPOINTS_VSCODE (the argument overrides it; default current):
#   min      the oldest VS Code the extension declares (engines.vscode): code-server 4.100.3 on the machine's Node
#   current  the newest code-server on npm, on the Node it requires (fetched from npm by scripts/fetch-node.sh)
# Each install writes .vscode-test/host-<flavor>.json, which the test driver and npm start read: the versions below
# are stated here only.
set -euo pipefail
cd "$(dirname "$0")/.."

MIN_CODE_SERVER=4.100.3
CURRENT_CODE_SERVER=4.139.1
# code-server 4.139 declares engines.node 24 and fails every connection on older Node (node:module registerHooks).
CURRENT_NODE_MAJOR=24

flavor="${1:-${FLINK_CHECKPOINTS_VSCODE:-current}}"
case "$flavor" in
  all) bash "$0" min && exec bash "$0" current ;;
  min | current) ;;
  *) echo "install-vscode-host: unknown VS Code '$flavor' (min, current or all)" >&2; exit 2 ;;
esac

started=$(date +%s)

missing=()
for pkg in chromium libkrb5-dev ripgrep; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then sudo=(sudo -n); fi
  echo "install-vscode-host: installing Debian packages: ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" </dev/null
fi

if [ "$flavor" = min ]; then
  version=$MIN_CODE_SERVER
  node="$(command -v node)"
else
  version=$CURRENT_CODE_SERVER
  node="$(bash scripts/fetch-node.sh "$CURRENT_NODE_MAJOR")"
fi
host_dir=".vscode-test/code-server-$version"
entry="$host_dir/node_modules/code-server/out/node/entry.js"
descriptor=".vscode-test/host-$flavor.json"
marker="$host_dir/.installed"

# code-server's native modules are built for the Node that installed them: install and run with the same one.
run_node() { PATH="$(dirname "$node"):$PATH" "$@"; }

# What the test driver and npm start read (absolute paths: the driver runs from anywhere in the repository).
write_descriptor() {
  # `code-server --version` prints "<code-server version> <commit> with Code <VS Code version>".
  local vscode_version
  vscode_version="$(run_node "$node" "$entry" --version | sed -n 's/.* with Code \([0-9.]*\).*/\1/p' | head -1)"
  [ -n "$vscode_version" ] || { echo "install-vscode-host: code-server $version does not start under $node" >&2; exit 1; }
  cat >"$descriptor" <<EOF
{
  "flavor": "$flavor",
  "codeServer": "$version",
  "vscode": "$vscode_version",
  "node": "$node",
  "nodeVersion": "$("$node" --version)",
  "entry": "$PWD/$entry"
}
EOF
}

# Worktrees set up before two VS Codes were tested hold 4.100.3 in .vscode-test/code-server: moved, not reinstalled.
legacy=.vscode-test/code-server
if [ "$flavor" = min ] && [ ! -d "$host_dir" ] && [ -f "$legacy/.installed-$version" ]; then
  mv "$legacy" "$host_dir"
  echo "$node" >"$marker"
fi

if [ -f "$marker" ] && [ -f "$entry" ] && [ "$(cat "$marker")" = "$node" ]; then
  write_descriptor
  echo "install-vscode-host: code-server $version ($flavor) and Chromium present ($(( $(date +%s) - started )) s)"
  exit 0
fi

if [ "$flavor" = min ]; then
  # The ripgrep release @vscode/ripgrep (inside code-server 4.100) downloads from GitHub in its postinstall; these
  # machines reach only package registries, so its cache is seeded with Debian's rg under the name it looks for.
  # Newer code-server bundles rg.
  ripgrep_cache="${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11"
  ripgrep_archive=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
  if [ ! -f "$ripgrep_cache/$ripgrep_archive" ]; then
    mkdir -p "$ripgrep_cache"
    tar -C /usr/bin -czf "$ripgrep_cache/$ripgrep_archive" rg
  fi
fi

echo "install-vscode-host: installing code-server $version ($flavor) into $host_dir with Node $("$node" --version)"
rm -rf "$host_dir"
mkdir -p "$host_dir"
# npm 11 runs only the install scripts a package.json approves; code-server's postinstall installs VS Code's own
# node_modules and argon2's loads its native binding.
cat >"$host_dir/package.json" <<EOF
{
  "name": "flink-checkpoints-vscode-host",
  "private": true,
  "description": "The VS Code (code-server) the in-host and UI tests run in; installed by scripts/install-vscode-host.sh.",
  "dependencies": { "code-server": "$version" },
  "allowScripts": { "code-server": true, "argon2": true }
}
EOF
(
  cd "$host_dir"
  # Under `npm test` the outer npm's user agent (naming the machine's Node) is inherited, and code-server's postinstall
  # reads the Node version from it: the install's own npm must say which Node runs it.
  run_node env -u npm_config_user_agent npm_config_yes=true npm_config_unsafe_perm=true npm install --no-audit --no-fund --loglevel=error </dev/null
)
write_descriptor
echo "$node" >"$marker"
echo "install-vscode-host: code-server $version (VS Code $(node -p "require('./$descriptor').vscode"), Node $("$node" --version)) installed ($(( $(date +%s) - started )) s)"
