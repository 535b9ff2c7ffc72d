#!/usr/bin/env bash
# Unit tier: node:test over the compiled core. Test files are passed explicitly so helpers under test/ are not run as tests.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p .
mapfile -t files < <(find out/test/unit -name '*.test.js' | sort)
if [ "${#files[@]}" -eq 0 ]; then
  echo "no unit tests found under out/test/unit" >&2
  exit 1
fi
node --test --test-reporter=spec --test-reporter-destination=stdout "${files[@]}"
