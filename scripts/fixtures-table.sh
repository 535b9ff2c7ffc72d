#!/usr/bin/env bash
# Regenerates the Table API / SQL fixtures: runs the SQL job of test/flink (src/table: a GROUP BY aggregation, a
# deduplication, a Top-N, a regular join and a window aggregation over rows with known contents; retracting
# aggregates with data views, Top-Ns with retraction and over an update stream, a user aggregate with data views, an
# over aggregation, a deduplication of date, time and interval columns) on a local MiniCluster
# of each requested Flink line, on the HashMap and RocksDB backends and as savepoints, with Flink's own schema reading
# (_metadata.schema.json) and metadata summary (_metadata.oracle.json) beside every _metadata and the state values the
# rows leave (table.expected.json) beside the scenarios, then moves the trees to <out>/<version>/.
#
#   scripts/fixtures-table.sh --flink 1.20 [--flink 2.2 ...] [--out DIR]
#   scripts/fixtures-table.sh --all      the lines of FLINK_TABLE_LINES
#
# Default out: test/fixtures/flink-table. Needs Java 17 and Maven; Maven's downloads are cached in ~/.m2.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/fixtures-lib.sh"

FLINK_TABLE_LINES=(1.19 1.20 2.1 2.2)

# The table modules (planner, runtime, bridge) are not published for every patch release: the newest one that is.
table_version_of() {
  case "$1" in 1.20.5) echo 1.20.3 ;; 2.0.2) echo 2.0.0 ;; 2.1.3) echo 2.1.1 ;; *) echo "$1" ;; esac
}

versions=()
out="$FIXTURES_REPO/test/fixtures/flink-table"
tmp_root="${FLINK_FIXTURES_TMP:-/tmp/flink-fixtures}/table"
while [ $# -gt 0 ]; do
  case "$1" in
    --flink) versions+=("$(flink_version_of "$2")"); shift 2 ;;
    --all) for line in "${FLINK_TABLE_LINES[@]}"; do versions+=("$(flink_version_of "$line")"); done; shift ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "fixtures-table: unknown argument '$1' (use --flink <line>, --all, --out <dir>)" >&2; exit 2 ;;
  esac
done
if [ ${#versions[@]} -eq 0 ]; then
  echo "fixtures-table: name a Flink line with --flink <line> (one of: ${FLINK_TABLE_LINES[*]}) or --all" >&2
  exit 2
fi
mkdir -p "$out"
out="$(cd "$out" && pwd)"

for version in "${versions[@]}"; do
  start=$(date +%s)
  classpath="$(flink_build_variant "$version" table -Dflink.table -Dflink.nodstl \
    -Dflink.table.version="$(table_version_of "$version")")"
  rm -rf "${tmp_root:?}/$version"
  mkdir -p "$tmp_root/$version"
  java "${FLINK_JAVA_OPTS[@]}" -Dflink.version="$version" -cp "$classpath" flinkfixtures.Scenarios \
    --flink-version "$version" --root "$tmp_root/$version" --dstl-version none --job table
  java -cp "$classpath" flinkfixtures.TableJob "$tmp_root/$version/table.expected.json"
  rm -rf "${out:?}/$version"
  mv "$tmp_root/$version" "$out/$version"
  echo "fixtures-table: Flink $version -> $out/$version in $(( $(date +%s) - start )) s"
done
