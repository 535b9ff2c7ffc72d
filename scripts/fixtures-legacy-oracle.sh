#!/usr/bin/env bash
# Regenerates test/fixtures/legacy-proxy-oracle: what Flink's own readers say about the serialization proxies of the
# shared fixtures of Flink 1.3 to 1.6 (their inline state). Flink 1.7.2 reads every proxy version older lines wrote
# (its legacy meta-info readers) and runs on Java 17, which those lines do not; its jars and the classes the
# fixtures' serializers name (flink-avro, the test serializer of flink-tests) come from Maven Central.
#
#   scripts/fixtures-legacy-oracle.sh [--shared DIR]
#
# Needs Java 17, Maven and the compiled tree (npx tsc -p .); Maven's downloads are cached in ~/.m2.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shared="$repo/../shared/flink-metadata-fixtures"
while [ $# -gt 0 ]; do
  case "$1" in
    --shared) shared="$2"; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "fixtures-legacy-oracle: unknown argument '$1' (use --shared <dir>)" >&2; exit 2 ;;
  esac
done
if [ ! -d "$shared" ]; then
  echo "fixtures-legacy-oracle: no shared fixtures at $shared (use --shared <dir>)" >&2
  exit 2
fi

FIXTURES=(
  v2-flink1.3-rocksdb-savepoint-stateful-udf
  v2-flink1.3-savepoint-operatorstate-complexKeyed
  v2-flink1.4-rocksdb-savepoint-type-serializer-snapshot
  v2-flink1.5-memory-savepoint-broadcast-udf
  v2-flink1.6-savepoint-state-evolution-e2e
)
ARTIFACTS=(
  org.apache.flink:flink-runtime_2.11:1.7.2
  org.apache.flink:flink-core:1.7.2
  org.apache.flink:flink-streaming-java_2.11:1.7.2
  org.apache.flink:flink-annotations:1.7.2
  org.apache.flink:flink-shaded-guava:18.0-5.0
  org.apache.flink:flink-avro:1.7.2
  org.apache.flink:flink-tests_2.11:1.7.2:jar:tests
  org.apache.avro:avro:1.8.2
  org.codehaus.jackson:jackson-core-asl:1.9.13
  org.codehaus.jackson:jackson-mapper-asl:1.9.13
  org.slf4j:slf4j-api:1.7.15
  org.apache.commons:commons-lang3:3.3.2
)
m2="${MAVEN_REPO:-$HOME/.m2/repository}"
classpath=""
for artifact in "${ARTIFACTS[@]}"; do
  IFS=: read -r group name version packaging classifier <<<"$artifact"
  jar="$m2/${group//.//}/$name/$version/$name-$version${classifier:+-$classifier}.jar"
  [ -f "$jar" ] || mvn -q dependency:get -Dtransitive=false -Dartifact="$artifact"
  classpath="$classpath${classpath:+:}$jar"
done

classes="$(mktemp -d)"
trap 'rm -rf "$classes"' EXIT
javac -nowarn -d "$classes" -cp "$classpath" "$repo/test/flink/legacy/LegacyProxyOracle.java"
out="$repo/test/fixtures/legacy-proxy-oracle"
mkdir -p "$out"
for fixture in "${FIXTURES[@]}"; do
  metadata="$shared/$fixture/_metadata"
  read -r -a heads <<<"$(node "$repo/scripts/legacy-proxy-heads.mjs" "$metadata")"
  java -cp "$classpath:$classes" LegacyProxyOracle "$metadata" "${heads[@]}" 2>/dev/null >"$out/$fixture.jsonl"
  echo "fixtures-legacy-oracle: $fixture: ${#heads[@]} proxies"
done
