#!/usr/bin/env bash
# Regenerates the real-Flink fixtures: runs the scenario jobs of test/flink on a local MiniCluster of each requested
# Flink line, writes them under $FLINK_FIXTURES_TMP/<version>/ (a stable, machine-neutral directory, so the absolute
# paths Flink stores in _metadata never name a workspace), writes the oracle JSON beside every _metadata, then moves
# the trees to <out>/<version>/.
#
#   scripts/fixtures.sh --flink 1.20 [--flink 2.2 ...] [--scenario hashmap ...] [--out DIR]
#   scripts/fixtures.sh --synthetic      the small Flink-serialized synthetic set (written by 1.14, 1.20 and 2.2)
#   scripts/fixtures.sh --synthetic-1.14 only the 1.14.6 one (V3 tags 5 and keyed 3; its oracle read by 2.2)
#   scripts/fixtures.sh --all            every line, then the synthetic set
#
# Default out: test/fixtures/flink. Needs Java 17 and Maven; Maven's downloads are cached in ~/.m2.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/fixtures-lib.sh"

versions=()
scenarios=()
synthetic=false
synthetic_v3=false
out="$FIXTURES_REPO/test/fixtures/flink"
tmp_root="${FLINK_FIXTURES_TMP:-/tmp/flink-fixtures}"
while [ $# -gt 0 ]; do
  case "$1" in
    --flink) versions+=("$(flink_version_of "$2")"); shift 2 ;;
    --all) for line in "${FLINK_LINES[@]}"; do versions+=("$(flink_version_of "$line")"); done; synthetic=true; synthetic_v3=true; shift ;;
    --synthetic) synthetic=true; synthetic_v3=true; shift ;;
    --synthetic-1.14) synthetic_v3=true; shift ;;
    --scenario) scenarios+=("$2"); shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "fixtures: unknown argument '$1' (use --flink <line>, --all, --scenario <name>, --out <dir>)" >&2; exit 2 ;;
  esac
done
if [ ${#versions[@]} -eq 0 ] && [ "$synthetic" = false ] && [ "$synthetic_v3" = false ]; then
  echo "fixtures: name a Flink line with --flink <line> (one of: ${FLINK_LINES[*]}), --synthetic, --synthetic-1.14 or --all" >&2
  exit 2
fi
mkdir -p "$out"
out="$(cd "$out" && pwd)"

for version in ${versions[@]+"${versions[@]}"}; do
  start=$(date +%s)
  classpath="$(flink_build "$version")"
  rm -rf "${tmp_root:?}/$version"
  mkdir -p "$tmp_root/$version"
  java "${FLINK_JAVA_OPTS[@]}" -Dflink.version="$version" -cp "$classpath" flinkfixtures.Scenarios \
    --flink-version "$version" --root "$tmp_root/$version" --dstl-version "$(flink_dstl_version "$version")" \
    ${scenarios[@]+"${scenarios[@]}"}
  # a full run replaces the line's tree (a scenario this line no longer has must not survive); --scenario replaces only those
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
  echo "fixtures: Flink $version -> $out/$version in $(( $(date +%s) - start )) s"
done

if [ "$synthetic" = true ]; then
  for version in 1.20.5 2.2.1; do
    classpath="$(flink_build "$version")"
    rm -rf "${tmp_root:?}/synthetic/$version"
    java "${FLINK_JAVA_OPTS[@]}" -cp "$classpath" flinkfixtures.Synthetic --root "$tmp_root/synthetic/$version" small
    rm -rf "${out:?}/synthetic/$version"
    mkdir -p "$out/synthetic"
    mv "$tmp_root/synthetic/$version" "$out/synthetic/$version"
    echo "fixtures: synthetic metadata written by Flink $version -> $out/synthetic/$version"
  done
fi

if [ "$synthetic_v3" = true ]; then
  # Flink 1.14.6 (the last V3 writer) has its own build, pom-1.14.xml; its classes have no oracle, so the file is read
  # back by the 2.2 reader, against the same kind of machine-neutral pointer as the other synthetic fixtures.
  version=1.14.6
  log="$(mktemp)"
  if ! (cd "$FLINK_BENCH" && mvn -B -q -Dstyle.color=never -f pom-1.14.xml compile) >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "fixtures: building test/flink/pom-1.14.xml failed (output above)" >&2
    exit 1
  fi
  rm -f "$log"
  rm -rf "${tmp_root:?}/synthetic/$version"
  java -cp "$FLINK_BENCH/target/$version/classes:$(cat "$FLINK_BENCH/target/$version/classpath.txt")" \
    flinkfixtures.SyntheticV3 --root "$tmp_root/synthetic/$version"
  reader="$(flink_build "$(flink_version_of 2.2)")"
  for dir in "$tmp_root/synthetic/$version"/*/; do
    dir="${dir%/}"
    java "${FLINK_JAVA_OPTS[@]}" -cp "$reader" flinkfixtures.Oracle --write --pointer "file:$dir" "$dir/_metadata"
  done
  rm -rf "${out:?}/synthetic/$version"
  mkdir -p "$out/synthetic"
  mv "$tmp_root/synthetic/$version" "$out/synthetic/$version"
  echo "fixtures: synthetic metadata written by Flink $version (oracle: Flink 2.2) -> $out/synthetic/$version"
fi
