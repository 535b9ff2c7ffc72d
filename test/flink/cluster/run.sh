#!/usr/bin/env bash
# Real-cluster proof of the restore generator: builds the CLI and the word-count job, starts a Flink 1.20 cluster with a
# REST endpoint (MiniCluster from Maven Central), and restores through the generated REST call, `flink run` line
# (Flink's own CliFrontend from the same jars) and curl line. Prints "N passed, N failed"; exits non-zero on a failure.
set -euo pipefail
cd "$(dirname "$0")/../../.."

if ! command -v java >/dev/null || ! command -v mvn >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q openjdk-17-jdk-headless maven >/dev/null
  else
    echo "restore-cluster: needs Java 17 and Maven 3 (apt-get install openjdk-17-jdk-headless maven)" >&2
    exit 1
  fi
fi

if ! built=$(npm run --silent build 2>&1); then echo "$built" >&2; exit 1; fi
# Offline first: a warm ~/.m2 needs no network; the first run downloads Flink 1.20 (about 150 MB).
build_job() { (cd test/flink/cluster && mvn -B -q "$@" package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt); }
build_job -o >/dev/null 2>&1 || build_job

exec timeout --kill-after=20 600 node test/flink/cluster/driver.mjs "$@"
