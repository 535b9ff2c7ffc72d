#!/usr/bin/env bash
# npm start: a real VS Code (code-server) in the browser with the extension installed from a freshly packaged .vsix,
# a demo workspace, and stores of real Flink checkpoints (the trees Flink 1.15 .. 2.2 wrote for test/fixtures/flink)
# in every state the product knows: complete, latest, in progress, broken, a missing file, savepoints, file merging.
# Stays in the foreground; Ctrl+C stops code-server (by PID).
#
#   npm start [-- --port 8080]
#
# The VS Code is the current one unless FLINK_CHECKPOINTS_VSCODE=min (see scripts/install-vscode-host.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

port=8080
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    *) echo "usage: npm start [-- --port <port>]" >&2; exit 2 ;;
  esac
done

flavor="${FLINK_CHECKPOINTS_VSCODE:-current}"
bash scripts/install-vscode-host.sh "$flavor"
host=".vscode-test/host-$flavor.json"
node="$(node -p "require('./$host').node")"
entry="$(node -p "require('./$host').entry")"
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run --silent package >/dev/null

demo="$PWD/.vscode-test/demo"
rm -rf "$demo"
mkdir -p "$demo/workspace/conf" "$demo/checkpoints" "$demo/user-data/User" "$demo/extensions"

# The demo stores are copies of the trees real Flink wrote for test/fixtures/flink, aged and put into every state the
# product knows (scripts/demo.mjs), so that trying Clean Up… or a writable store never touches the committed fixtures.
stores="$(node scripts/demo.mjs "$demo/checkpoints")"

cat >"$demo/user-data/User/settings.json" <<EOF
{
  "flinkCheckpoints.stores": $stores,
  "flinkCheckpoints.flinkVersion": "1.20",
  "workbench.startupEditor": "none",
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "git.openRepositoryInParentFolders": "never",
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false
}
EOF
cat >"$demo/workspace/conf/flink-conf.yaml" <<'EOF'
# A flink-conf.yaml to try the editor support on: hover a key, type to complete, open the Problems view.
state.backend.typ: rocksdb
state.checkpoints.dir: ftp://flink:secret@ftp.example.com/checkpoints
execution.checkpointing.interval: 10
state.backend.incremental: true
high-availability: zookeeper
high-availability.storageDir: hdfs:///flink/ha
EOF

# code-server runs on the Node that installed it, first on PATH for what it spawns.
codeserver() { PATH="$(dirname "$node"):$PATH" "$node" "$entry" "$@"; }
codeserver --user-data-dir "$demo/user-data" --extensions-dir "$demo/extensions" \
  --install-extension dist/flink-checkpoints.vsix >/dev/null

printf 'auth: none\n' >"$demo/config.yaml"
PATH="$(dirname "$node"):$PATH" "$node" "$entry" --config "$demo/config.yaml" --auth none --bind-addr "127.0.0.1:$port" --disable-telemetry \
  --disable-update-check --disable-workspace-trust --user-data-dir "$demo/user-data" --extensions-dir "$demo/extensions" \
  "$demo/workspace" >"$demo/code-server.log" 2>&1 &
pid=$!
stop() {
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  echo "npm start: code-server (pid $pid) stopped"
}
trap stop EXIT
trap 'exit 130' INT TERM

for _ in $(seq 1 120); do
  if grep -q 'HTTP server listening' "$demo/code-server.log"; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then cat "$demo/code-server.log" >&2; exit 1; fi
  sleep 0.5
done
grep -q 'HTTP server listening' "$demo/code-server.log" || { echo "npm start: code-server did not start; see $demo/code-server.log" >&2; exit 1; }

echo
echo "Flink Checkpoints is running in VS Code at:"
echo
echo "    http://127.0.0.1:$port/?folder=$demo/workspace"
echo
echo "Open the Flink Checkpoints view in the activity bar. Ctrl+C stops it."
wait "$pid"
