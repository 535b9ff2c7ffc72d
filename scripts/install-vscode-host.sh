#!/usr/bin/env bash
# Installs the real VS Code the in-host and UI tiers run in: Debian's Chromium (driven by playwright-core), ripgrep and
# the Kerberos headers code-server's native modules build against, and code-server from npm into a project-local,
# git-ignored directory. Idempotent: a second run only checks and returns.
set -euo pipefail
cd "$(dirname "$0")/.."

CODE_SERVER_VERSION=4.100.3
HOST_DIR=.vscode-test/code-server
# The ripgrep release @vscode/ripgrep (inside code-server) downloads from GitHub in its postinstall; these machines
# reach only package registries, so its cache is seeded with Debian's rg under the name it looks for.
RIPGREP_CACHE="${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11"
RIPGREP_ARCHIVE=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz

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

marker="$HOST_DIR/.installed-$CODE_SERVER_VERSION"
if [ -f "$marker" ] && [ -x "$HOST_DIR/node_modules/.bin/code-server" ]; then
  echo "install-vscode-host: code-server $CODE_SERVER_VERSION and Chromium present ($(( $(date +%s) - started )) s)"
  exit 0
fi

if [ ! -f "$RIPGREP_CACHE/$RIPGREP_ARCHIVE" ]; then
  mkdir -p "$RIPGREP_CACHE"
  tar -C /usr/bin -czf "$RIPGREP_CACHE/$RIPGREP_ARCHIVE" rg
fi

echo "install-vscode-host: installing code-server $CODE_SERVER_VERSION into $HOST_DIR"
rm -rf "$HOST_DIR"
mkdir -p "$HOST_DIR"
# npm 11 runs only the install scripts a package.json approves; code-server's postinstall installs VS Code's own
# node_modules and argon2's loads its native binding.
cat >"$HOST_DIR/package.json" <<EOF
{
  "name": "flink-checkpoints-vscode-host",
  "private": true,
  "description": "The VS Code (code-server) the in-host and UI tests run in; installed by scripts/install-vscode-host.sh.",
  "dependencies": { "code-server": "$CODE_SERVER_VERSION" },
  "allowScripts": { "code-server": true, "argon2": true }
}
EOF
(
  cd "$HOST_DIR"
  npm_config_yes=true npm_config_unsafe_perm=true npm install --no-audit --no-fund --loglevel=error </dev/null
)
"$HOST_DIR/node_modules/.bin/code-server" --version >/dev/null
touch "$marker"
echo "install-vscode-host: code-server $CODE_SERVER_VERSION installed ($(( $(date +%s) - started )) s)"
