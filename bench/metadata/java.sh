#!/usr/bin/env bash
# The Java side of the metadata benchmark, on the real-Flink bench module (test/flink, Flink 2.2 line by default):
#
#   bench/metadata/java.sh classpath                         builds test/flink and prints its classpath
#   bench/metadata/java.sh synthetic DIR NAME OPS SUBTASKS SHARED   writes a large Flink-serialized DIR/NAME/_metadata
#   bench/metadata/java.sh time N WARMUP FILE...              Flink's Checkpoints.loadCheckpointMetadata, warm, in one
#                                                             JVM per file: one JSON line per file (ms/op, bytes/s)
#   bench/metadata/java.sh load FILE                          one cold JVM process that loads FILE once (whole-process
#                                                             timing and peak RSS)
#   bench/metadata/java.sh time-all WARMUP_MS MIN_MS MIN_ITER FILE...   warm timing of many files in one JVM
#                                                             (bench/metadata/java/TimeAll.java): one JSON line per file
#   bench/metadata/java.sh inline DIR NAME OPS SUBTASKS BYTES   a large _metadata with inline state
#                                                             (bench/metadata/java/LargeInline.java)
#
# BENCH_FLINK picks the release line (default 2.2).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/fixtures-lib.sh"

version="$(flink_version_of "${BENCH_FLINK:-2.2}")"
cp_file="$FLINK_BENCH/target/$version/bench-classpath.txt"
if [ ! -s "$cp_file" ] || [ "$1" = classpath ]; then
  flink_build "$version" > "$cp_file"
fi
classpath="$(cat "$cp_file")"
java_run() { java "${FLINK_JAVA_OPTS[@]}" -Dflink.version="$version" -cp "$classpath" "$@"; }

case "$1" in
  classpath) echo "$classpath" ;;
  synthetic) java "${FLINK_JAVA_OPTS[@]/-Xmx2g/-Xmx3g}" -cp "$classpath" flinkfixtures.Synthetic --root "$2" large "$3" "$4" "$5" "$6" ;;
  time)
    n="$2" warmup="$3"; shift 3
    for f in "$@"; do java_run flinkfixtures.Oracle --time "$n" --warmup "$warmup" "$f"; echo; done ;;
  load) java_run flinkfixtures.Oracle --time 1 --warmup 0 "$2" ;;
  time-all|inline)
    main="$([ "$1" = inline ] && echo LargeInline || echo TimeAll)"
    classes="$FLINK_BENCH/target/$version/bench-metadata-classes"
    src="$(dirname "${BASH_SOURCE[0]}")/java/$main.java"
    if [ ! -f "$classes/$main.class" ] || [ "$src" -nt "$classes/$main.class" ]; then
      mkdir -p "$classes"
      javac -cp "$classpath" -d "$classes" "$src"
    fi
    shift
    java "${FLINK_JAVA_OPTS[@]/-Xmx2g/-Xmx3g}" -cp "$classes:$classpath" "$main" "$@" ;;
  *) sed -n '2,16p' "$0"; exit 2 ;;
esac
