#!/usr/bin/env bash
# Builds the Go tools the S3 tests and benchmarks use into the git-ignored .cache/bin of the project:
# versitygw (an Apache-2.0 S3 gateway over a directory), toxiproxy (latency and faults) and s5cmd (the reference
# S3 lister of the benchmarks). Pinned versions; a tool already built at its version is not rebuilt.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="$PWD/.cache/bin"
mkdir -p "$bin"
command -v go >/dev/null || { echo "Go is needed to build versitygw, toxiproxy and s5cmd (https://go.dev/dl/)" >&2; exit 1; }
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
build s5cmd v2.3.0 github.com/peak/s5cmd/v2
echo "Go tools ready in .cache/bin"
