#!/usr/bin/env bash
# Real Flink clusters from Maven Central (a MiniCluster with a REST endpoint, one build per Flink release):
#   run.sh            the restore proof (driver.mjs): restores through the generated REST call, `flink run` line and
#                     curl line, each continuing the count
#   run.sh client     the REST client and `flink-checkpoints cluster` tests (client.test.ts, cli.test.ts), and a cluster
#                     checkpointing to s3a:// on versitygw (s3.test.ts; skipped until test/servers/install-s3-tools.sh ran)
# FLINK_VERSIONS (default "1.20.1 2.2.0") picks the releases; one cluster runs at a time, niced, stopped by its PID.
# Prints "N passed, N failed" per release; exits non-zero on a failure.
set -euo pipefail
cd "$(dirname "$0")/../../.."
mode=${1:-proof}
versions=${FLINK_VERSIONS:-1.20.1 2.2.0}

if ! command -v java >/dev/null || ! command -v mvn >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q openjdk-17-jdk-headless maven >/dev/null
  else
    echo "flink clusters: need Java 17 and Maven 3 (apt-get install openjdk-17-jdk-headless maven)" >&2
    exit 1
  fi
fi

if ! built=$(npm run --silent build 2>&1); then echo "$built" >&2; exit 1; fi
if [ "$mode" = client ] && ! compiled=$(npx tsc -p . 2>&1); then echo "$compiled" >&2; exit 1; fi
# Offline first: a warm ~/.m2 needs no network; the first run downloads each Flink release (about 150 MB).
build_job() { (cd test/flink/cluster && nice -n 10 mvn -B -q "$@" package dependency:build-classpath); }

status=0
for version in $versions; do
  build_job -o "-Dflink.version=$version" >/dev/null 2>&1 || build_job "-Dflink.version=$version"
  echo "== Flink $version"
  if [ "$mode" = client ]; then
    FLINK_VERSION=$version timeout --kill-after=20 900 node --test --test-concurrency=1 --test-reporter=spec --test-reporter-destination=stdout \
      out/test/flink/cluster/client.test.js out/test/flink/cluster/cli.test.js out/test/flink/cluster/s3.test.js || status=1
  else
    FLINK_VERSION=$version timeout --kill-after=20 600 node test/flink/cluster/driver.mjs || status=1
  fi
done
exit $status
