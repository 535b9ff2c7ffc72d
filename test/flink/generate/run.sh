#!/usr/bin/env bash
# The code `flink-checkpoints state --generate` writes, run on real Flink (Maven Central): the serializer-zoo job's
# classes with the State Processor API of Flink 2.2 and 1.20 (and, for 2.2, the Table API with the savepoint
# connector) are built from test/flink; generate.test.ts then has the CLI write the Flink SQL and the Java job for zoo
# savepoints, runs them (javac + java; the SQL through a TableEnvironment), and checks that Flink reads the same
# entries as our own reader.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$repo"
source scripts/fixtures-lib.sh
if ! command -v javac >/dev/null || ! command -v mvn >/dev/null; then
  echo "generated state readers: need a JDK 17 and Maven 3 (apt-get install openjdk-17-jdk-headless maven)" >&2
  exit 1
fi
if ! built=$(npx tsc -p . 2>&1 && node scripts/build.mjs 2>&1); then echo "$built" >&2; exit 1; fi

# flink-state-processor-api is published as x.y.0 for these lines; flink-avro not for every patch.
readers() {
  local version=$1 spa=$2 avro=$3
  shift 3
  local log
  log=$(mktemp)
  if ! (cd "$FLINK_BENCH" && nice -n 10 mvn -B -q -Dstyle.color=never -Dflink.version="$version" -Dspa.version="$spa" \
      -Dflink.avro.version="$avro" -Dflink.state.readers -Dflink.nodstl "$@" compile) >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    return 1
  fi
  rm -f "$log"
  echo "$FLINK_BENCH/target/$version-readers/classes:$(cat "$FLINK_BENCH/target/$version-readers/classpath.txt")"
}

GENERATE_CP_2_2=$(readers 2.2.1 2.2.0 2.2.1 -Dflink.state.sql)
GENERATE_CP_1_20=$(readers 1.20.5 1.20.0 1.20.3)
export GENERATE_CP_2_2 GENERATE_CP_1_20
export GENERATE_JAVA_OPTS="${FLINK_JAVA_OPTS[*]}"
node --test --test-reporter=spec --test-reporter-destination=stdout out/test/flink/generate/generate.test.js
