#!/usr/bin/env bash
# Regenerates the Kafka connector fixtures: a Kafka broker (KRaft mode, from Maven Central) runs inside the fixture JVM,
# a topic gets records at known offsets, and a Flink job of each requested line reads it with KafkaSource and copies it
# with KafkaSink exactly-once until every offset is committed; the retained checkpoint and a canonical savepoint get
# the oracle _metadata.connectors.json (what the connector's own serializers read from them) and Flink's metadata
# summary _metadata.oracle.json beside them, then the tree moves to <out>/<version>/.
#
#   scripts/fixtures-kafka.sh --flink 1.20 [--flink 2.0 ...] [--out DIR]
#   scripts/fixtures-kafka.sh --all      the lines of FLINK_KAFKA_LINES
#
# Default out: test/fixtures/flink-kafka. Needs Java 17 and Maven; Maven's downloads are cached in ~/.m2.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/fixtures-lib.sh"

FLINK_KAFKA_LINES=(1.20 2.0 2.2)

# The Kafka connector release of each line, and the Kafka release its broker and clients come from: the client release
# the connector is built against (3.9.1 for the 3.4/4.0 connectors, whose own 3.4.0 predates a usable in-process KRaft).
kafka_connector_version_of() {
  case "$1" in 1.20.*) echo 3.4.0-1.20 ;; 2.0.*) echo 4.0.1-2.0 ;; 2.2.*) echo 5.0.0-2.2 ;; *) echo "fixtures-kafka: no Kafka connector known for Flink $1" >&2; return 2 ;; esac
}
kafka_version_of() {
  case "$1" in 2.2.*) echo 4.2.0 ;; *) echo 3.9.1 ;; esac
}

versions=()
out="$FIXTURES_REPO/test/fixtures/flink-kafka"
tmp_root="${FLINK_FIXTURES_TMP:-/tmp/flink-fixtures}/kafka"
while [ $# -gt 0 ]; do
  case "$1" in
    --flink) versions+=("$(flink_version_of "$2")"); shift 2 ;;
    --all) for line in "${FLINK_KAFKA_LINES[@]}"; do versions+=("$(flink_version_of "$line")"); done; shift ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "fixtures-kafka: unknown argument '$1' (use --flink <line>, --all, --out <dir>)" >&2; exit 2 ;;
  esac
done
if [ ${#versions[@]} -eq 0 ]; then
  echo "fixtures-kafka: name a Flink line with --flink <line> (one of: ${FLINK_KAFKA_LINES[*]}) or --all" >&2
  exit 2
fi
mkdir -p "$out"
out="$(cd "$out" && pwd)"

for version in "${versions[@]}"; do
  start=$(date +%s)
  connector="$(kafka_connector_version_of "$version")"
  classpath="$(flink_build_variant "$version" kafka -Dflink.kafka -Dflink.nodstl \
    -Dkafka.connector.version="$connector" -Dkafka.version="$(kafka_version_of "$version")")"
  rm -rf "${tmp_root:?}/$version"
  mkdir -p "$tmp_root/$version"
  java "${FLINK_JAVA_OPTS[@]}" -Dflink.version="$version" -cp "$classpath" flinkfixtures.KafkaFixtures \
    --flink-version "$version" --root "$tmp_root/$version"
  for metadata in $(find "$tmp_root/$version" -name _metadata | sort); do
    dir="$(dirname "$metadata")"
    java "${FLINK_JAVA_OPTS[@]}" -cp "$classpath" flinkfixtures.Oracle --write --pointer "file:$dir" "$metadata"
  done
  rm -rf "${out:?}/$version"
  mv "$tmp_root/$version" "$out/$version"
  echo "fixtures-kafka: Flink $version (Kafka connector $connector, broker $(kafka_version_of "$version")) -> $out/$version in $(( $(date +%s) - start )) s"
done
