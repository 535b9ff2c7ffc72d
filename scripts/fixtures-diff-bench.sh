#!/usr/bin/env bash
# Pairs of canonical savepoints written by Flink 2.2.1 (test/flink DiffSavepoints) for the state diff's memory bench:
# per key count N, a savepoint, then one after N/100 keys were added, N/100 removed and N/10 changed.
#
#   scripts/fixtures-diff-bench.sh [--out DIR] [N...]      default N: 10000 100000 1000000
#
# Default DIR: $FLINK_FIXTURES_TMP/diff-bench (/tmp/flink-fixtures/diff-bench). Writes DIR/N/pair.json,
# {"before": path, "after": path}; bench/state/diffMemory.ts runs this itself when its pairs are missing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/fixtures-lib.sh"

out="${FLINK_FIXTURES_TMP:-/tmp/flink-fixtures}/diff-bench"
if [ "${1:-}" = --out ]; then
  out="$2"
  shift 2
fi
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(10000 100000 1000000)
classpath="$(flink_build 2.2.1)"
for n in "${counts[@]}"; do
  dir="$out/$n"
  rm -rf "$dir"
  mkdir -p "$dir"
  java "${FLINK_JAVA_OPTS[@]}" -cp "$classpath" flinkfixtures.DiffSavepoints --root "$dir" --keys "$n" \
    2>"$dir/job.log" | tail -1 >"$dir/pair.json.tmp"
  mv "$dir/pair.json.tmp" "$dir/pair.json"
  cat "$dir/pair.json"
done
