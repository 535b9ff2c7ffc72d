#!/usr/bin/env bash
# Regenerates the job-plan fixtures the restore pre-flight reads (test/fixtures/flink-plans/<version>/): Flink runs the
# restore-scenario job (test/flink RestoreScenarios, MiniCluster) and writes a base savepoint; for the unchanged,
# uid-removed and max-parallelism-changed jobs it keeps every plan Flink gives of the running job:
#   rest-plan.json       GET /jobs/:id/plan (JobGraph: vertex ids = the chain's first operator, no max parallelism)
#   rest-job.json        GET /jobs/:id (the same plan, plus vertices with parallelism and max parallelism)
#   execution-plan.json  env.getExecutionPlan() (StreamGraph: every operator by name, numbered, no ids);
#                        `flink info` prints the same JSON (checked here)
#
#   scripts/fixtures-plans.sh [--flink 1.20 --flink 2.2] [--out DIR]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/fixtures-lib.sh"

versions=()
out="$FIXTURES_REPO/test/fixtures/flink-plans"
tmp_root="${FLINK_FIXTURES_TMP:-/tmp/flink-fixtures}/plans"
while [ $# -gt 0 ]; do
  case "$1" in
    --flink) versions+=("$(flink_version_of "$2")"); shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "usage: $0 [--flink LINE ...] [--out DIR]" >&2; exit 2 ;;
  esac
done
[ ${#versions[@]} -gt 0 ] || versions=(1.20.5 2.2.1)

for version in "${versions[@]}"; do
  cp=$(flink_build "$version")
  work="$tmp_root/$version"
  rm -rf "$work" && mkdir -p "$work"
  nice -n 10 timeout --kill-after=20 900 java "${FLINK_JAVA_OPTS[@]}" -cp "$cp" flinkfixtures.RestoreScenarios plans "$work" \
    >"$work/plans.json" 2>"$work/plans.log" || { cat "$work/plans.log" >&2; exit 1; }
  dest="$out/$version"
  rm -rf "$dest" && mkdir -p "$dest/base"
  node - "$work/plans.json" "$dest" <<'JS'
const fs = require('fs');
const path = require('path');
const [file, dest] = process.argv.slice(2);
const r = JSON.parse(fs.readFileSync(file, 'utf8'));
const copyDir = (from, to) => fs.cpSync(from, to, { recursive: true });
copyDir(r.base, path.join(dest, 'base'));
for (const variant of ['unchanged', 'uid-removed', 'max-parallelism-changed']) {
  const p = r[variant];
  const dir = path.join(dest, variant);
  fs.mkdirSync(dir, { recursive: true });
  if (fs.readFileSync(p.executionPlan, 'utf8') !== fs.readFileSync(p.info, 'utf8')) {
    throw new Error(`${variant}: flink info's plan differs from env.getExecutionPlan()`);
  }
  // As Flink wrote them, byte for byte.
  fs.copyFileSync(p.rest, path.join(dir, 'rest-plan.json'));
  fs.copyFileSync(p.job, path.join(dir, 'rest-job.json'));
  fs.copyFileSync(p.executionPlan, path.join(dir, 'execution-plan.json'));
}
JS
  echo "plans of Flink $version in $dest"
done
