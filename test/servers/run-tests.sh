#!/usr/bin/env bash
# Real-server tier: installs the servers if needed, compiles, and runs test/servers/*.test.ts (MiniDFSCluster over
# WebHDFS, 100,000-entry listings). The FTP/FTPS tests run in the unit tier.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash test/servers/install.sh
npx tsc -p .
mapfile -t files < <(find out/test/servers -name '*.test.js' | sort)
node --test --test-concurrency=1 --test-reporter=spec --test-reporter-destination=stdout "${files[@]}"
