#!/usr/bin/env bash
# Runs SstOracle with one RocksDB JNI build, compiling test/rocksdb for it first when needed (each build has its own
# target/<artifact>-<version>). Needs Java 17 and Maven; Maven's downloads are cached in ~/.m2.
#
#   test/rocksdb/oracle.sh GROUP:ARTIFACT:VERSION cases|bench-write|scan ARGS...
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
IFS=: read -r group artifact version <<<"$1"
shift
classes="$here/target/$artifact-$version"
if [ ! -f "$classes/classpath.txt" ] || [ "$here/src/main/java/sstoracle/SstOracle.java" -nt "$classes/classpath.txt" ] \
   || [ "$here/pom.xml" -nt "$classes/classpath.txt" ]; then
  log="$(mktemp)"
  if ! (cd "$here" && nice -n 10 mvn -B -q -Dstyle.color=never -Drocksdb.groupId="$group" -Drocksdb.artifactId="$artifact" \
        -Drocksdb.version="$version" compile) >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "oracle.sh: building the SST oracle with $group:$artifact:$version failed (output above)" >&2
    exit 1
  fi
  rm -f "$log"
  touch "$classes/classpath.txt"
fi
exec java ${SST_ORACLE_JAVA_OPTS:-} -cp "$classes/classes:$(cat "$classes/classpath.txt")" sstoracle.SstOracle "$@"
