#!/usr/bin/env bash
# Writes the SST property-test cases with one RocksDB JNI build (SstOracle `cases`) and prints their directory.
# Cached: a directory whose `.done` stamp exists is reused, so tests run this freely.
#
#   test/rocksdb/generate.sh GROUP:ARTIFACT:VERSION SEED CASES ENTRIES
#
# The JNI builds the tests use: org.rocksdb:rocksdbjni (current RocksDB) and Flink's com.ververica:frocksdbjni
# (8.10.0-ververica-1.0 in Flink 1.19+ and 2.x, 6.20.3-ververica-2.0 in Flink 1.14..1.18). Needs Java 17 and Maven;
# Maven's downloads are cached in ~/.m2.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
IFS=: read -r group artifact version <<<"$1"
seed="$2" cases="$3" entries="$4"
out="$here/target/cases/$artifact-$version-s$seed-c$cases-e$entries"
if [ -f "$out/.done" ]; then
  echo "$out"
  exit 0
fi
classes="$here/target/$artifact-$version"
if [ ! -f "$classes/classpath.txt" ] || [ "$here/src/main/java/sstoracle/SstOracle.java" -nt "$classes/classpath.txt" ]; then
  log="$(mktemp)"
  if ! (cd "$here" && nice -n 10 mvn -B -q -Dstyle.color=never -Drocksdb.groupId="$group" -Drocksdb.artifactId="$artifact" \
        -Drocksdb.version="$version" compile) >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "generate.sh: building the SST oracle with $group:$artifact:$version failed (output above)" >&2
    exit 1
  fi
  rm -f "$log"
  touch "$classes/classpath.txt"
fi
rm -rf "$out"
mkdir -p "$out"
nice -n 10 java -cp "$classes/classes:$(cat "$classes/classpath.txt")" sstoracle.SstOracle cases "$out" "$seed" "$cases" "$entries" >&2
touch "$out/.done"
echo "$out"
