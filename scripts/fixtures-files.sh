#!/usr/bin/env bash
# Regenerates the file connector fixtures: text files written here are read by a Flink job of each requested line
# with a FileSource monitoring their directory continuously, throttled so the readers are mid-file, and written by a
# FileSink rolling part files by size; the retained checkpoint and a canonical savepoint get the oracle
# _metadata.connectors.json (what the connector's own serializers read from them) and Flink's metadata summary
# _metadata.oracle.json beside them, then the snapshots (not the input and output files) move to <out>/<version>/.
#
#   scripts/fixtures-files.sh --flink 1.20 [--flink 2.2 ...] [--out DIR]
#   scripts/fixtures-files.sh --all      the lines of FLINK_FILES_LINES
#
# Default out: test/fixtures/flink-files. Needs Java 17 and Maven; Maven's downloads are cached in ~/.m2.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/fixtures-lib.sh"

FLINK_FILES_LINES=(1.15 1.17 1.20 2.0 2.2)

# flink-connector-files is released with Flink itself, but not for every patch release: 2.0.2 has none on Maven
# Central, so the 2.0 line uses 2.0.0's.
files_connector_version_of() {
  case "$1" in 2.0.2) echo 2.0.0 ;; *) echo "$1" ;; esac
}

versions=()
out="$FIXTURES_REPO/test/fixtures/flink-files"
tmp_root="${FLINK_FIXTURES_TMP:-/tmp/flink-fixtures}/files"
while [ $# -gt 0 ]; do
  case "$1" in
    --flink) versions+=("$(flink_version_of "$2")"); shift 2 ;;
    --all) for line in "${FLINK_FILES_LINES[@]}"; do versions+=("$(flink_version_of "$line")"); done; shift ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "fixtures-files: unknown argument '$1' (use --flink <line>, --all, --out <dir>)" >&2; exit 2 ;;
  esac
done
if [ ${#versions[@]} -eq 0 ]; then
  echo "fixtures-files: name a Flink line with --flink <line> (one of: ${FLINK_FILES_LINES[*]}) or --all" >&2
  exit 2
fi
mkdir -p "$out"
out="$(cd "$out" && pwd)"

for version in "${versions[@]}"; do
  start=$(date +%s)
  connector="$(files_connector_version_of "$version")"
  classpath="$(flink_build_variant "$version" files -Dflink.files -Dflink.nodstl -Dfiles.connector.version="$connector")"
  rm -rf "${tmp_root:?}/$version"
  mkdir -p "$tmp_root/$version"
  java "${FLINK_JAVA_OPTS[@]}" -Dflink.version="$version" -cp "$classpath" flinkfixtures.FileFixtures \
    --flink-version "$version" --root "$tmp_root/$version"
  for metadata in $(find "$tmp_root/$version" -name _metadata | sort); do
    dir="$(dirname "$metadata")"
    java "${FLINK_JAVA_OPTS[@]}" -cp "$classpath" flinkfixtures.Oracle --write --pointer "file:$dir" "$metadata"
  done
  rm -rf "${tmp_root:?}/$version/input" "${tmp_root:?}/$version/output"
  rm -rf "${out:?}/$version"
  mv "$tmp_root/$version" "$out/$version"
  echo "fixtures-files: Flink $version (flink-connector-files $connector) -> $out/$version in $(( $(date +%s) - start )) s"
done
