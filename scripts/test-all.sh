#!/usr/bin/env bash
# Every test tier, in order, each with its own output and closing line; then one combined `N passed, N failed`.
# A tier that fails does not stop the others (the summary names it); the script exits non-zero if any failed.
#
#   scripts/test-all.sh [--only tier,tier] [--skip tier,tier]
#
# Tiers: setup (installs what the tests run against: Chromium, code-server, FTP servers, the HDFS launcher; idempotent),
# static (ESLint, types, build), unit, servers, fixtures, conf-agreement, restore-cluster, in-host, e2e.
set -uo pipefail
cd "$(dirname "$0")/.."

only="" skip=""
while [ $# -gt 0 ]; do
  case "$1" in
    --only) only=",$2,"; shift 2 ;;
    --skip) skip=",$2,"; shift 2 ;;
    *) echo "usage: scripts/test-all.sh [--only tier,...] [--skip tier,...]" >&2; exit 2 ;;
  esac
done

logs="$(mktemp -d "${TMPDIR:-/tmp}/flink-checkpoints-tests.XXXXXX")"
total_passed=0 total_failed=0 total_skipped=0
failed_tiers=() summary=()

# Counts from the closing lines the runners print: node:test (ℹ pass/ℹ fail/ℹ skipped with the spec reporter, # pass/
# # fail/# skipped with TAP), mocha (N passing/failing/pending) and our own drivers (N passed, N failed[, N skipped]).
count() {
  local log="$1" p=0 f=0 s=0 op=0 of=0 os=0 own=0 line
  while IFS= read -r line; do
    if [[ "$line" =~ ^(#|ℹ)\ pass\ ([0-9]+)$ ]]; then p=$((p + BASH_REMATCH[2]))
    elif [[ "$line" =~ ^(#|ℹ)\ fail\ ([0-9]+)$ ]]; then f=$((f + BASH_REMATCH[2]))
    elif [[ "$line" =~ ^(#|ℹ)\ skipped\ ([0-9]+)$ ]]; then s=$((s + BASH_REMATCH[2]))
    elif [[ "$line" =~ ^\ *([0-9]+)\ passing ]]; then p=$((p + BASH_REMATCH[1]))
    elif [[ "$line" =~ ^\ *([0-9]+)\ failing ]]; then f=$((f + BASH_REMATCH[1]))
    elif [[ "$line" =~ ^\ *([0-9]+)\ pending ]]; then s=$((s + BASH_REMATCH[1]))
    elif [[ "$line" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)? ]]; then
      own=1; op=$((op + BASH_REMATCH[1])); of=$((of + BASH_REMATCH[2])); os=$((os + ${BASH_REMATCH[4]:-0}))
    fi
  done < "$log"
  # A driver that prints its own closing line (in-host, fixtures, restore proof) also echoes mocha's: count it once.
  if [ "$own" -eq 1 ]; then echo "$op $of $os"; else echo "$p $f $s"; fi
}

tier() {
  local name="$1"; shift
  if [ -n "$only" ] && [[ "$only" != *",$name,"* ]]; then return; fi
  if [[ "$skip" == *",$name,"* ]]; then summary+=("$name: skipped (--skip)"); return; fi
  echo
  echo "=== $name: $*"
  local started=$SECONDS log="$logs/$name.log" status
  "$@" 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  read -r p f s < <(count "$log")
  total_passed=$((total_passed + p)); total_failed=$((total_failed + f)); total_skipped=$((total_skipped + s))
  if [ "$status" -ne 0 ]; then
    failed_tiers+=("$name")
    # A tier that failed without a failing test (a crash, a build error) still counts as one failure.
    [ "$f" -eq 0 ] && total_failed=$((total_failed + 1))
  fi
  summary+=("$name: $p passed, $f failed, $s skipped, exit $status, $((SECONDS - started)) s")
}

setup() {
  bash scripts/install-vscode-host.sh && bash test/servers/install.sh
}

static() {
  npx eslint . && npx tsc -p . && node scripts/build.mjs >/dev/null && echo "ESLint, types and build: clean"
}

large_metadata() {
  local out="${TMPDIR:-/tmp}/flink-checkpoints-large"
  [ -f "$out/large-20x1000x20/_metadata" ] || bash scripts/fixtures-large.sh --out "$out" large-20x1000x20 20 1000 20 >/dev/null
  echo "$out/large-20x1000x20/_metadata"
}

e2e() {
  FLINK_CHECKPOINTS_LARGE_METADATA="$(large_metadata)" npx mocha --timeout 300000 'out/test/e2e/**/*.test.js'
}

tier setup setup
tier static static
tier unit bash scripts/test-unit.sh
tier servers bash test/servers/run-tests.sh
tier fixtures bash scripts/fixtures-ci.sh
tier conf-agreement npm run --silent test:conf-agreement
tier restore-cluster bash test/flink/cluster/run.sh
tier in-host node out/test/integration/driver/runInHost.js
tier e2e e2e

echo
echo "=== summary"
for line in "${summary[@]}"; do echo "  $line"; done
rm -rf "$logs"
if [ "${#failed_tiers[@]}" -gt 0 ]; then
  echo "failed tiers: ${failed_tiers[*]}"
fi
echo "$total_passed passed, $total_failed failed, $total_skipped skipped"
[ "${#failed_tiers[@]}" -eq 0 ]
