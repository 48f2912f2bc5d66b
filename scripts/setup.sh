#!/usr/bin/env bash
# Set up pycompose on this machine: the package and its dependencies, `pycompose`
# on PATH, and (with --test) what the tests need: the test extras and the reference
# Docker Compose binary for the differential suite. Idempotent; run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
want_tests=0
[ "${1:-}" = "--test" ] && want_tests=1

# Debian packages, installed only when their command is missing.
apt_missing=()
need() { command -v "$1" >/dev/null 2>&1 || apt_missing+=("$2"); }
need ip iproute2
if [ "$want_tests" = 1 ]; then
  need nft nftables
  need iptables iptables
fi
if [ "${#apt_missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${apt_missing[@]}" >/dev/null
fi

if [ "$want_tests" = 1 ]; then
  "$PYTHON" -m pip install -q --disable-pip-version-check -e ".[test]"
  bash scripts/get-docker-compose.sh
else
  "$PYTHON" -m pip install -q --disable-pip-version-check -e .
fi

bin=$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_path("scripts"))')
ln -sf "$bin/pycompose" /usr/local/bin/pycompose
command -v pycompose >/dev/null
