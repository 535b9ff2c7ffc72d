#!/usr/bin/env bash
# Generates large Flink-serialized _metadata files for benchmarks (not committed): CheckpointMetadata built by hand
# and written by Flink 2.2's own Checkpoints.storeCheckpointMetadata (metadata V6).
#
#   scripts/fixtures-large.sh [--out DIR]                                  the presets below
#   scripts/fixtures-large.sh [--out DIR] NAME OPERATORS SUBTASKS SHARED    one custom shape
#
# Presets (sizes as generated): medium-100x100x5 (~9 MB), large-200x1000 (200 operators x 1,000 subtasks with
# key-group and operator state, ~67 MB), large-20x1000x20 (20 operators x 1,000 subtasks x 20 shared SST files of
# incremental RocksDB state, ~52 MB). Default DIR: $FLINK_FIXTURES_TMP/large (/tmp/flink-fixtures/large).
# Time Flink's own reader on one with: scripts/fixtures-oracle.sh --time 20 DIR/large-200x1000/_metadata
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/fixtures-lib.sh"

out="${FLINK_FIXTURES_TMP:-/tmp/flink-fixtures}/large"
if [ "${1:-}" = --out ]; then
  out="$2"
  shift 2
fi
case $# in
  0) shapes=("medium-100x100x5 100 100 5" "large-200x1000 200 1000 0" "large-20x1000x20 20 1000 20") ;;
  4) shapes=("$*") ;;
  *) sed -n '2,13p' "$0" >&2; exit 2 ;;
esac
classpath="$(flink_build 2.2.1)"
mkdir -p "$out"
for shape in "${shapes[@]}"; do
  # shellcheck disable=SC2086 # the shape is four words on purpose
  java "${FLINK_JAVA_OPTS[@]}" -Xmx3g -cp "$classpath" flinkfixtures.Synthetic --root "$out" large $shape
done
