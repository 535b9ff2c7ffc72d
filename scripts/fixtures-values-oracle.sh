#!/usr/bin/env bash
# Writes the State Processor API's reading of every state entry (_metadata.values.json) beside each _metadata of the
# serializer-zoo fixtures (test/fixtures/flink-zoo/<version>/), per Flink line, with that line's State Processor API
# from Maven Central: the oracle the TypeScript state value reader must agree with. The fixtures themselves are read,
# never rewritten.
#
#   scripts/fixtures-values-oracle.sh --flink 1.20 [--flink 2.2 ...] [--scenario hashmap ...] [--out DIR]
#   scripts/fixtures-values-oracle.sh --all      the lines of the zoo
#   scripts/fixtures-values-oracle.sh --job wordcount --flink 1.20 ...   the word-count fixtures (test/fixtures/flink)
#
# Needs Java 17 and Maven (downloads cached in ~/.m2).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/fixtures-lib.sh"

ZOO_LINES=(1.15 1.16 1.17 1.18 1.19 1.20 2.0 2.1 2.2 2.3)

# The State Processor API is not published for every patch release: the newest one of the line that is.
spa_version_of() {
  case "$1" in 1.19.3) echo 1.19.1 ;; 1.20.5) echo 1.20.0 ;; 2.0.2) echo 2.0.0 ;; 2.1.3) echo 2.1.0 ;; 2.2.1) echo 2.2.0 ;; *) echo "$1" ;; esac
}

# Must match fixtures-zoo.sh: the zoo job's classes (flink-avro, ForSt) are on the oracle's class path.
forst_version_of() {
  case "$1" in 2.0.2) echo 2.0.0 ;; 2.2.1) echo 2.2.0 ;; 2.3.0) echo 2.3.0 ;; *) echo none ;; esac
}
avro_version_of() {
  case "$1" in 1.15.4) echo 1.15.3 ;; 1.20.5) echo 1.20.3 ;; 2.0.2) echo 2.0.0 ;; 2.1.3) echo 2.1.1 ;; *) echo "$1" ;; esac
}

versions=()
scenarios=()
out=""
job=zoo
while [ $# -gt 0 ]; do
  case "$1" in
    --flink) versions+=("$(flink_version_of "$2")"); shift 2 ;;
    --all) for line in "${ZOO_LINES[@]}"; do versions+=("$(flink_version_of "$line")"); done; shift ;;
    --scenario) scenarios+=("$2"); shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --job) job="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "fixtures-values-oracle: unknown argument '$1' (use --flink <line>, --all, --scenario <name>, --out <dir>)" >&2; exit 2 ;;
  esac
done
case "$job" in
  zoo) [ -n "$out" ] || out="$FIXTURES_REPO/test/fixtures/flink-zoo" ;;
  wordcount) [ -n "$out" ] || out="$FIXTURES_REPO/test/fixtures/flink" ;;
  *) echo "fixtures-values-oracle: --job is zoo or wordcount, not '$job'" >&2; exit 2 ;;
esac
if [ ${#versions[@]} -eq 0 ]; then
  echo "fixtures-values-oracle: name a Flink line with --flink <line> (one of: ${ZOO_LINES[*]}) or --all" >&2
  exit 2
fi

for version in "${versions[@]}"; do
  if [ ! -f "$out/$version/scenarios.json" ]; then
    echo "fixtures-values-oracle: no $job fixtures of Flink $version under $out (scripts/fixtures-zoo.sh, scripts/fixtures.sh write them)" >&2
    exit 1
  fi
  start=$(date +%s)
  spa="$(spa_version_of "$version")"
  case "$version" in 1.*) open=spa-open1 ;; *) open=spa-open2 ;; esac
  extra=(-Dflink.zoo -Dflink.spa -Dspa.version="$spa" -Dspa.open="$open" -Dflink.avro.version="$(avro_version_of "$version")")
  dstl="$(flink_dstl_version "$version")"
  if [ "$dstl" = none ]; then extra+=(-Dflink.nodstl); else extra+=(-Ddstl.version="$dstl"); fi
  forst="$(forst_version_of "$version")"
  [ "$forst" = none ] || extra+=(-Dforst.version="$forst")
  log="$(mktemp)"
  if ! (cd "$FLINK_BENCH" && mvn -B -q -Dstyle.color=never -Dflink.version="$version" "${extra[@]}" compile) >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "fixtures-values-oracle: building test/flink with the State Processor API $spa for Flink $version failed (output above)" >&2
    exit 1
  fi
  rm -f "$log"
  classpath="$FLINK_BENCH/target/$version-zoo/classes:$(cat "$FLINK_BENCH/target/$version-zoo/classpath.txt")"
  java "${FLINK_JAVA_OPTS[@]}" -cp "$classpath" flinkfixtures.ValuesOracle \
    --flink-version "$version" --spa-version "$spa" --root "$out/$version" --job "$job" ${scenarios[@]+"${scenarios[@]}"}
  echo "fixtures-values-oracle: Flink $version (State Processor API $spa) in $(( $(date +%s) - start )) s"
done
