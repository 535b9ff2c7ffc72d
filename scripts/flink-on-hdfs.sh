#!/usr/bin/env bash
# Runs the bench's word count on a local Flink MiniCluster with its checkpoint directory in HDFS (Flink's Hadoop file
# system: test/flink built with -Dflink.hadoop into target/<version>-hadoop; Maven only when the build is stale).
#
#   scripts/flink-on-hdfs.sh --checkpoints hdfs://127.0.0.1:<rpc port>/flink/checkpoints --result <file>
#                            [--flink <line>] [--scenario hashmap|rocksdb-incremental|rocksdb-large]
#   scripts/flink-on-hdfs.sh --build [--flink <line>]     only build
#
# Default line: 2.2. Needs Java 17 and Maven; Maven's downloads are cached in ~/.m2.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/fixtures-lib.sh"

version="$(flink_version_of 2.2)"
build_only=false
job_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --flink) version="$(flink_version_of "$2")"; shift 2 ;;
    --build) build_only=true; shift ;;
    --checkpoints|--result|--scenario) job_args+=("$1" "$2"); shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "flink-on-hdfs: unknown argument '$1' (use --checkpoints, --result, --flink, --scenario, --build)" >&2; exit 2 ;;
  esac
done

target="$FLINK_BENCH/target/$version-hadoop"
if [ ! -f "$target/classpath.txt" ] || [ "$FLINK_BENCH/pom.xml" -nt "$target/classpath.txt" ] \
  || [ -n "$(find "$FLINK_BENCH/src/main" "$FLINK_BENCH/src/hadoop" -newer "$target/classpath.txt" -print -quit)" ]; then
  extra=()
  dstl="$(flink_dstl_version "$version")"
  if [ "$dstl" = none ]; then extra+=(-Dflink.nodstl); else extra+=(-Ddstl.version="$dstl"); fi
  log="$(mktemp)"
  if ! (cd "$FLINK_BENCH" && mvn -B -q -Dstyle.color=never -Dflink.version="$version" -Dflink.hadoop "${extra[@]}" compile) >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "flink-on-hdfs: building test/flink for Flink $version with the Hadoop client failed (output above)" >&2
    exit 1
  fi
  rm -f "$log"
  touch "$target/classpath.txt" # the dependency plugin leaves an unchanged file untouched
fi
[ "$build_only" = false ] || exit 0
exec java "${FLINK_JAVA_OPTS[@]}" -cp "$target/classes:$(cat "$target/classpath.txt")" flinkfixtures.HdfsScenario "${job_args[@]}"
