#!/usr/bin/env bash
# Regenerates the serializer-zoo fixtures: runs the zoo job of test/flink (src/zoo) on a local MiniCluster of each
# requested Flink line and backend scenario, with Flink's own schema reading (_metadata.schema.json) and metadata
# summary (_metadata.oracle.json) beside every _metadata, then moves the trees to <out>/<version>/.
#
#   scripts/fixtures-zoo.sh --flink 1.20 [--flink 2.2 ...] [--scenario hashmap ...] [--out DIR]
#   scripts/fixtures-zoo.sh --all      the lines of FLINK_ZOO_LINES
#
# Default out: test/fixtures/flink-zoo. Needs Java 17 and Maven; Maven's downloads are cached in ~/.m2.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/fixtures-lib.sh"

FLINK_ZOO_LINES=(1.15 1.16 1.17 1.18 1.19 1.20 2.0 2.1 2.2 2.3)

# ForSt releases trail Flink's patch releases: none for the 1.x lines, nor for 2.1 (published: 2.0.0, 2.2.0, 2.3.0).
forst_version_of() {
  case "$1" in 2.0.2) echo 2.0.0 ;; 2.2.1) echo 2.2.0 ;; 2.3.0) echo 2.3.0 ;; *) echo none ;; esac
}

# flink-avro is not published for every patch release: the newest one of the line that is.
avro_version_of() {
  case "$1" in 1.15.4) echo 1.15.3 ;; 1.20.5) echo 1.20.3 ;; 2.0.2) echo 2.0.0 ;; 2.1.3) echo 2.1.1 ;; *) echo "$1" ;; esac
}

versions=()
scenarios=()
out="$FIXTURES_REPO/test/fixtures/flink-zoo"
tmp_root="${FLINK_FIXTURES_TMP:-/tmp/flink-fixtures}/zoo"
while [ $# -gt 0 ]; do
  case "$1" in
    --flink) versions+=("$(flink_version_of "$2")"); shift 2 ;;
    --all) for line in "${FLINK_ZOO_LINES[@]}"; do versions+=("$(flink_version_of "$line")"); done; shift ;;
    --scenario) scenarios+=("$2"); shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "fixtures-zoo: unknown argument '$1' (use --flink <line>, --all, --scenario <name>, --out <dir>)" >&2; exit 2 ;;
  esac
done
if [ ${#versions[@]} -eq 0 ]; then
  echo "fixtures-zoo: name a Flink line with --flink <line> (one of: ${FLINK_ZOO_LINES[*]}) or --all" >&2
  exit 2
fi
mkdir -p "$out"
out="$(cd "$out" && pwd)"

for version in "${versions[@]}"; do
  start=$(date +%s)
  extra=(-Dflink.zoo -Dflink.avro.version="$(avro_version_of "$version")")
  dstl="$(flink_dstl_version "$version")"
  if [ "$dstl" = none ]; then extra+=(-Dflink.nodstl); else extra+=(-Ddstl.version="$dstl"); fi
  forst="$(forst_version_of "$version")"
  [ "$forst" = none ] || extra+=(-Dforst.version="$forst")
  classpath="$(flink_build_variant "$version" zoo "${extra[@]}")"
  rm -rf "${tmp_root:?}/$version"
  mkdir -p "$tmp_root/$version"
  java "${FLINK_JAVA_OPTS[@]}" -Dflink.version="$version" -cp "$classpath" flinkfixtures.Scenarios \
    --flink-version "$version" --root "$tmp_root/$version" --dstl-version "$dstl" --job zoo \
    ${scenarios[@]+"${scenarios[@]}"}
  [ ${#scenarios[@]} -ne 0 ] || rm -rf "${out:?}/$version"
  mkdir -p "$out/$version"
  for dir in "$tmp_root/$version"/*/; do
    name="$(basename "$dir")"
    rm -rf "${out:?}/$version/$name"
    mv "$dir" "$out/$version/$name"
  done
  if [ ${#scenarios[@]} -eq 0 ] || [ ! -f "$out/$version/scenarios.json" ]; then
    mv "$tmp_root/$version/scenarios.json" "$out/$version/scenarios.json"
  else
    # a partial run: keep the other scenarios' entries
    node -e '
      const fs = require("fs");
      const [oldFile, newFile] = process.argv.slice(1);
      const merged = JSON.parse(fs.readFileSync(oldFile, "utf8"));
      Object.assign(merged.scenarios, JSON.parse(fs.readFileSync(newFile, "utf8")).scenarios);
      fs.writeFileSync(oldFile, JSON.stringify(merged, null, 2) + "\n");
    ' "$out/$version/scenarios.json" "$tmp_root/$version/scenarios.json"
  fi
  rm -rf "${tmp_root:?}/$version"
  echo "fixtures-zoo: Flink $version -> $out/$version in $(( $(date +%s) - start )) s"
done
