#!/usr/bin/env bash
# Quick CI entry for the real-Flink test bench. End to end, without stdin:
#   1. regenerates the oldest and the newest Flink line (1.15, 2.2) into a temporary directory with real Flink,
#      each _metadata with the oracle output of that line's own reader;
#   2. checks the TypeScript parser (node dist/cli.js inspect --json) against that oracle output, live;
#   3. checks that the regenerated trees have the same shapes as the committed ones (ids, sizes, timestamps aside);
#   4. checks the parser against the committed oracle output of the whole matrix (test/fixtures/flink);
#   5. regenerates the serializer-zoo job's hashmap checkpoint of 2.2: Flink's own reading of its state schemas must
#      equal the committed one (the unit tier checks the reader against all of test/fixtures/flink-zoo).
# Prints the time each step took. Needs Java 17, Maven and Node; Maven's downloads are cached in ~/.m2.
#
#   scripts/fixtures-ci.sh [--lines "1.15 2.2"]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/fixtures-lib.sh"
cd "$FIXTURES_REPO"

lines="1.15 2.2"
if [ "${1:-}" = --lines ]; then
  lines="$2"
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/flink-fixtures-ci.XXXXXX")"
trap 'rm -rf "$work"' EXIT
t0=$(date +%s)

if ! build_log="$(node scripts/build.mjs 2>&1)"; then
  echo "$build_log" >&2
  exit 1
fi
if ! node dist/cli.js inspect --help >/dev/null 2>&1; then
  echo "fixtures-ci: dist/cli.js has no inspect command yet" >&2
  exit 1
fi

args=()
for line in $lines; do args+=(--flink "$line"); done
FLINK_FIXTURES_TMP="$work/tmp" scripts/fixtures.sh "${args[@]}" --out "$work/out"
t1=$(date +%s)

node scripts/fixtures-compare.mjs "$work/out"
t2=$(date +%s)

for line in $lines; do
  version="$(flink_version_of "$line")"
  echo -n "Flink $version regenerated vs committed: "
  node scripts/fixtures-shapes.mjs "test/fixtures/flink/$version" "$work/out/$version"
done
t3=$(date +%s)

node scripts/fixtures-compare.mjs test/fixtures/flink
t4=$(date +%s)

FLINK_FIXTURES_TMP="$work/tmp" scripts/fixtures-zoo.sh --flink 2.2 --scenario hashmap --out "$work/zoo"
node -e '
  const fs = require("fs");
  const path = require("path");
  const find = (dir) => fs.readdirSync(dir, { recursive: true }).filter((f) => f.endsWith("_metadata.schema.json")).map((f) => path.join(dir, f));
  const [committed, regenerated] = process.argv.slice(1).map(find);
  if (committed.length !== 1 || regenerated.length !== 1) throw new Error(`expected one schema each: ${committed} / ${regenerated}`);
  if (fs.readFileSync(committed[0], "utf8") !== fs.readFileSync(regenerated[0], "utf8")) {
    console.error(`zoo 2.2 hashmap: the regenerated ${regenerated[0]} differs from the committed ${committed[0]}`);
    process.exit(1);
  }
  console.log("zoo 2.2 hashmap: Flink reads the same state schemas from the regenerated checkpoint as from the committed one");
' test/fixtures/flink-zoo/2.2.1/hashmap "$work/zoo/2.2.1/hashmap"
t5=$(date +%s)

echo "fixtures-ci: regenerate $lines $((t1 - t0)) s, live parser check $((t2 - t1)) s, shapes $((t3 - t2)) s," \
  "committed matrix $((t4 - t3)) s, zoo $((t5 - t4)) s, total $((t5 - t0)) s"
