#!/usr/bin/env bash
# Writes the SST property-test cases with one RocksDB JNI build (SstOracle `cases`) and prints their directory.
# Cached: a directory whose `.done` stamp exists is reused, so tests run this freely; the directory's name carries a
# hash of the generator, so changing it writes new cases.
#
#   test/rocksdb/generate.sh GROUP:ARTIFACT:VERSION SEED CASES ENTRIES [cases|chains]
#
# The JNI builds the tests use: org.rocksdb:rocksdbjni (current RocksDB) and Flink's com.ververica:frocksdbjni
# (8.10.0-ververica-1.0 in Flink 1.19+ and 2.x, 6.20.3-ververica-2.0 in Flink 1.14..1.18; Flink 1.13 and older ship
# com.data-artisans:frocksdbjni 5.17.2, whose Java API has no SstFileReader, so it cannot be an oracle here).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
artifact_version="$(cut -d: -f2- <<<"$1" | tr : -)"
seed="$2" cases="$3" entries="$4" command="${5:-cases}"
generator="$(cat "$here/src/main/java/sstoracle/SstOracle.java" "$here/pom.xml" | sha1sum | cut -c1-8)"
out="$here/target/$command/$artifact_version-$generator-s$seed-c$cases-e$entries"
if [ -f "$out/.done" ]; then
  echo "$out"
  exit 0
fi
rm -rf "$out"
mkdir -p "$out"
nice -n 10 bash "$here/oracle.sh" "$1" "$command" "$out" "$seed" "$cases" "$entries" >&2
touch "$out/.done"
echo "$out"
