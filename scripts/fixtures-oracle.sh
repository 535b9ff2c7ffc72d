#!/usr/bin/env bash
# The oracle: reads _metadata files with Flink's own Checkpoints.loadCheckpointMetadata and prints the summary JSON
# of the project's contract (the parser's `inspect --json` must print the same for the same file and pointer).
#
#   scripts/fixtures-oracle.sh [--flink <line>] [--pointer <checkpoint dir URI>] <_metadata>...
#   scripts/fixtures-oracle.sh [--flink <line>] --write <_metadata>...      writes _metadata.oracle.json beside each
#   scripts/fixtures-oracle.sh [--flink <line>] --time N [--warmup W] <_metadata>   ms/op and bytes/s as JSON
#
# --flink picks the release line whose reader is used (default 2.2: the newest reads every version from V2 on).
# --pointer is the directory relative handles resolve against (default: file:<directory of the file>); to reproduce a
# committed _metadata.oracle.json pass its "externalPointer".
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/fixtures-lib.sh"

line=2.2
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --flink) line="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) args+=("$1"); shift ;;
  esac
done
if [ ${#args[@]} -eq 0 ]; then
  echo "oracle: name a _metadata file (see --help)" >&2
  exit 2
fi
version="$(flink_version_of "$line")"
classpath="$(flink_build "$version")"
exec java "${FLINK_JAVA_OPTS[@]}" -Dflink.version="$version" -cp "$classpath" flinkfixtures.Oracle "${args[@]}"
