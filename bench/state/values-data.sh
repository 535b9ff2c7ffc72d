#!/usr/bin/env bash
# The state-values benchmark's data, written once by real Flink 2.2 and cached (git-ignored; about 2.3 GB):
# test/flink's LargeStateJob (1,100,000 keys of 1 KiB random bytes, parallelism 2) on RocksDB with incremental
# checkpoints; its last checkpoint (native RocksDB SST files) and a canonical savepoint of the same state
# (StateBenchData). Prints the cache directory, whose result.json names both snapshots.
#
#   bench/state/values-data.sh [--dir DIR] [--keys N]   default DIR: bench/state/target/values-data, N: 1100000
#   bench/state/values-data.sh --classpath              only build test/flink's statebench profile and print its classpath
#
# A smaller state (--keys; the first-page test of test/servers writes 16,000 keys) in a DIR of its own: a DIR written
# with another number of keys is written again. Needs Java 17 and Maven (downloads cached in ~/.m2). Takes 5-20
# minutes on a shared 2-core machine at the default size.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/fixtures-lib.sh"

version=2.2.1
# flink-state-processor-api trails Flink's patch releases
spa_version=2.2.0
dir="$FIXTURES_REPO/bench/state/target/values-data"
classpath_only=false
keys=1100000
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir="$2"; shift 2 ;;
    --keys) keys="$2"; shift 2 ;;
    --classpath) classpath_only=true; shift ;;
    *) sed -n '2,12p' "$0" >&2; exit 2 ;;
  esac
done

target="$FLINK_BENCH/target/$version-statebench"
if [ ! -f "$target/classpath.txt" ] || [ "$FLINK_BENCH/pom.xml" -nt "$target/classpath.txt" ] \
  || [ -n "$(find "$FLINK_BENCH/src/main" "$FLINK_BENCH/src/statebench" -newer "$target/classpath.txt" -print -quit)" ]; then
  log="$(mktemp)"
  if ! (cd "$FLINK_BENCH" && nice -n 10 mvn -B -q -Dstyle.color=never -Dflink.version="$version" \
        -Ddstl.version="$(flink_dstl_version "$version")" -Dflink.statebench -Dflink.spa.version="$spa_version" compile) \
        >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "values-data: building test/flink's statebench profile for Flink $version failed (output above)" >&2
    exit 1
  fi
  rm -f "$log"
  touch "$target/classpath.txt" # the dependency plugin leaves an unchanged file untouched
fi
classpath="$target/classes:$(cat "$target/classpath.txt")"
if [ "$classpath_only" = true ]; then
  echo "$classpath"
  exit 0
fi
if [ ! -f "$dir/result.json" ] || ! grep -q "\"keys\": $keys," "$dir/result.json"; then
  rm -rf "$dir"
  mkdir -p "$dir"
  echo "values-data: writing $keys keys of RocksDB state (1 KiB each) with Flink $version, then a canonical savepoint of it…" >&2
  nice -n 10 java "${FLINK_JAVA_OPTS[@]}" -cp "$classpath" flinkfixtures.StateBenchData --dir "$dir" --keys "$keys" \
    >"$dir/job.log" 2>&1 \
    || { tail -40 "$dir/job.log" >&2; echo "values-data: the Flink job failed (log above)" >&2; rm -f "$dir/result.json"; exit 1; }
fi
echo "$dir"
