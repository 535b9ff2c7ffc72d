#!/usr/bin/env bash
# Restore scenarios on real Flink (MiniCluster, Maven Central) decide what the pre-flight must say: Flink 1.20 and 2.2
# each write a base savepoint and restore it into changed jobs (RestoreScenarios.java) on the hashmap backend, Flink
# 2.2 again on RocksDB from a native savepoint, and Flink 2.2 restores the 1.20 savepoints (a native RocksDB one among
# them); each changed job also leaves the plans Flink gives of it (REST /jobs/:id/plan and /jobs/:id,
# env.getExecutionPlan()). restore.test.ts then checks that `flink-checkpoints preflight` gives Flink's outcome for
# every one, against the new job's savepoint, its sources and its plans, and prints the table.
# One JVM per line and mode (each restore starts its own MiniCluster); 25 minutes on 2 heavily shared cores.
# RESTORE_SCENARIOS_DIR keeps the savepoints and outcomes (default: a temporary directory, removed afterwards).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$repo"
source scripts/fixtures-lib.sh
if ! command -v java >/dev/null || ! command -v mvn >/dev/null; then
  echo "restore scenarios: need Java 17 and Maven 3 (apt-get install openjdk-17-jdk-headless maven)" >&2
  exit 1
fi
work=${RESTORE_SCENARIOS_DIR:-$(mktemp -d)}
[ -n "${RESTORE_SCENARIOS_DIR:-}" ] || trap 'rm -rf "$work"' EXIT
mkdir -p "$work"
if ! built=$(npx tsc -p . 2>&1 && node scripts/build.mjs 2>&1); then echo "$built" >&2; exit 1; fi

run() {
  local version=$1 out=$2
  shift 2
  local cp
  cp=$(flink_build "$version")
  timeout --kill-after=20 1200 nice -n 10 java "${FLINK_JAVA_OPTS[@]}" -cp "$cp" flinkfixtures.RestoreScenarios "$@" \
    >"$work/$out.json" 2>"$work/$out.log" || { cat "$work/$out.log" >&2; return 1; }
}

start=$(date +%s)
run 1.20.5 flink-1.20 write "$work/1.20"
run 2.2.1 flink-2.2 write "$work/2.2"
run 2.2.1 flink-2.2-rocksdb write-rocksdb "$work/2.2-rocksdb"
bases=$(node -e 'const r=require(process.argv[1]); console.log(`base=${r.base} base-no-kryo=${r.baseNoKryo} base-pojo-list=${r.basePojoList} base-rocksdb-native=${r.baseRocksdbNative}`)' "$work/flink-1.20.json")
# shellcheck disable=SC2086
run 2.2.1 flink-1.20-to-2.2 restore "$work/1.20-to-2.2" $bases
echo "restore scenarios: Flink ran them in $(( $(date +%s) - start )) s"
RESTORE_SCENARIOS="$work" node --test --test-reporter=spec --test-reporter-destination=stdout out/test/flink/preflight/restore.test.js
