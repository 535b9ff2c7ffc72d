#!/usr/bin/env bash
# Installs what the real-server store tests need: pyftpdlib, ProFTPD with mod_tls, openssl (Debian packages) and the
# MiniDFSCluster launcher (Maven, Java 17), and versitygw, toxiproxy and s5cmd (Go). Idempotent and fast when everything
# is present.
set -euo pipefail
cd "$(dirname "$0")"
packages=(python3-pyftpdlib proftpd-core proftpd-mod-crypto openssl python3-venv)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  echo "installing ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  # proftpd-core's postinst would start a system daemon on port 21; the tests run their own instances instead.
  "${sudo_cmd[@]}" env RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
if [ ! -f hdfs/target/classpath.txt ] || [ hdfs/pom.xml -nt hdfs/target/classpath.txt ] \
  || [ -n "$(find hdfs/src -newer hdfs/target/classpath.txt -print -quit)" ]; then
  command -v mvn >/dev/null || { echo "Maven is needed for the HDFS test server (apt-get install maven openjdk-17-jdk-headless)" >&2; exit 1; }
  (cd hdfs && mvn -B -q package -DskipTests)
  touch hdfs/target/classpath.txt # the dependency plugin leaves an unchanged file untouched
fi
bash install-s3-tools.sh
echo "test servers ready"
