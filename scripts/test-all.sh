#!/usr/bin/env bash
# Every test tier, in order, each with its own output and closing line; then one combined `N passed, N failed`.
# A tier that fails does not stop the others (the summary names it); the script exits non-zero if any failed.
#
#   scripts/test-all.sh [--only tier,tier] [--skip tier,tier]
#
# Tiers: setup (installs what the tests run against: Chromium, both code-servers, Node 24, FTP servers, the HDFS
# launcher; idempotent), static (ESLint, Prettier, types, build), unit (the machine's Node), unit@node24, servers, fixtures,
# conf-agreement, restore-cluster, preflight-restores (pre-flight verdicts vs real restores), generated-readers (the
# generated SQL and State Processor API job run on real Flink), cluster, in-host@min, in-host@current, e2e@min, e2e@current.
# A tier's family (the name before `@`) selects all its variants: `--only unit,in-host` runs unit, unit@node24 and both
# in-host tiers. `@min` is the oldest VS Code the extension declares, `@current` the newest code-server on npm (see
# scripts/install-vscode-host.sh).
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
  local family="${name%%@*}"
  if [ -n "$only" ] && [[ "$only" != *",$name,"* && "$only" != *",$family,"* ]]; then return; fi
  if [[ "$skip" == *",$name,"* || "$skip" == *",$family,"* ]]; then summary+=("$name: skipped (--skip)"); return; fi
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
  bash scripts/install-vscode-host.sh all && bash scripts/fetch-node.sh 24 >/dev/null && bash test/servers/install.sh
}

unit_on_machine() {
  echo "Node $(node --version)"
  bash scripts/test-unit.sh
}

# The unit tier (CLI included) on Node <major> fetched from npm, first on PATH so what the tests spawn runs on it too.
unit_on_node() {
  local node
  node="$(bash scripts/fetch-node.sh "$1")" || return 1
  echo "Node $("$node" --version)"
  PATH="$(dirname "$node"):$PATH" bash scripts/test-unit.sh
}

static() {
  npx eslint . && npx prettier --check . >/dev/null && npx tsc -p . && node scripts/build.mjs >/dev/null \
    && echo "ESLint, Prettier, types and build: clean"
}

large_metadata() {
  local out="${TMPDIR:-/tmp}/flink-checkpoints-large"
  [ -f "$out/large-20x1000x20/_metadata" ] || bash scripts/fixtures-large.sh --out "$out" large-20x1000x20 20 1000 20 >/dev/null
  echo "$out/large-20x1000x20/_metadata"
}

# In-host suites and UI flows in one VS Code: min or current.
in_host() {
  FLINK_CHECKPOINTS_VSCODE="$1" node out/test/integration/driver/runInHost.js
}

e2e() {
  FLINK_CHECKPOINTS_VSCODE="$1" FLINK_CHECKPOINTS_LARGE_METADATA="$(large_metadata)" \
    npx mocha --timeout 300000 'out/test/e2e/**/*.test.js'
}

tier setup setup
tier static static
tier vscode-types bash scripts/check-vscode-types.sh
tier unit unit_on_machine
tier unit@node24 unit_on_node 24
tier servers bash test/servers/run-tests.sh
tier fixtures bash scripts/fixtures-ci.sh
tier conf-agreement npm run --silent test:conf-agreement
tier restore-cluster bash test/flink/cluster/run.sh
tier preflight-restores bash test/flink/preflight/run.sh
tier generated-readers bash test/flink/generate/run.sh
tier cluster bash test/flink/cluster/run.sh client
tier in-host@min in_host min
tier in-host@current in_host current
tier e2e@min e2e min
tier e2e@current e2e current

echo
echo "=== summary"
for line in "${summary[@]}"; do echo "  $line"; done
rm -rf "$logs"
if [ "${#failed_tiers[@]}" -gt 0 ]; then
  echo "failed tiers: ${failed_tiers[*]}"
fi
echo "$total_passed passed, $total_failed failed, $total_skipped skipped"
[ "${#failed_tiers[@]}" -eq 0 ]
