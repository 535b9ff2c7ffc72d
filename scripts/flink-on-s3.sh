#!/usr/bin/env bash
# Runs the bench's word count on a local Flink MiniCluster with its checkpoint directory in an S3 bucket, through
# Flink's S3 file systems loaded as plugins (test/flink built with -Dflink.s3 into target/<version>-s3; Maven only
# when the build is stale). s3a:// goes through flink-s3-fs-hadoop, s3p:// through flink-s3-fs-presto.
#
#   scripts/flink-on-s3.sh --checkpoints s3a://<bucket>/<dir> --endpoint http://127.0.0.1:<port> --result <file>
#                          [--flink <line>] [--scenario rocksdb-incremental|hashmap|entropy|file-merging]
#   scripts/flink-on-s3.sh --build [--flink <line>]     only build
#
# The access key and secret come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (never from the command line).
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
    --checkpoints|--result|--scenario|--endpoint) job_args+=("$1" "$2"); shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "flink-on-s3: unknown argument '$1' (use --checkpoints, --endpoint, --result, --flink, --scenario, --build)" >&2; exit 2 ;;
  esac
done

# The S3 file system releases of each line (they trail Flink's own patch releases on Maven Central).
case "$version" in
  1.20.*) s3fs=(-Ds3fs.hadoop.version=1.20.1 -Ds3fs.presto.version=1.20.0) ;;
  2.2.*) s3fs=(-Ds3fs.hadoop.version=2.2.0 -Ds3fs.presto.version=2.2.0) ;;
  *) s3fs=() ;;
esac

target="$FLINK_BENCH/target/$version-s3"
if [ ! -f "$target/classpath.txt" ] || [ "$FLINK_BENCH/pom.xml" -nt "$target/classpath.txt" ] \
  || [ -n "$(find "$FLINK_BENCH/src/main" "$FLINK_BENCH/src/s3" -newer "$target/classpath.txt" -print -quit)" ]; then
  extra=()
  dstl="$(flink_dstl_version "$version")"
  if [ "$dstl" = none ]; then extra+=(-Dflink.nodstl); else extra+=(-Ddstl.version="$dstl"); fi
  log="$(mktemp)"
  if ! (cd "$FLINK_BENCH" && nice -n 10 mvn -B -q -Dstyle.color=never -Dflink.version="$version" -Dflink.s3 "${s3fs[@]}" "${extra[@]}" compile) >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "flink-on-s3: building test/flink for Flink $version with the S3 file systems failed (output above)" >&2
    exit 1
  fi
  rm -f "$log"
  touch "$target/classpath.txt" # the dependency plugin leaves an unchanged file untouched
fi
[ "$build_only" = false ] || exit 0
: "${AWS_ACCESS_KEY_ID:?flink-on-s3: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY}"
: "${AWS_SECRET_ACCESS_KEY:?flink-on-s3: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY}"
export FLINK_PLUGINS_DIR="$target/plugins"
exec java "${FLINK_JAVA_OPTS[@]}" -cp "$target/classes:$(cat "$target/classpath.txt")" flinkfixtures.S3Scenario \
  "${job_args[@]}" --access-key "$AWS_ACCESS_KEY_ID" --secret-key "$AWS_SECRET_ACCESS_KEY"
