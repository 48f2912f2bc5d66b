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
need_package() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed" || apt_missing+=("$1"); }
need ip iproute2
need nft nftables                       # the firewall pycompose's networks use
need_package busybox-static              # the demo's image is made from it (scripts/busybox-image.sh)
if [ "$want_tests" = 1 ]; then
  need iptables iptables
  need docker-registry docker-registry   # a registry on 127.0.0.1 for pull and push
  need skopeo skopeo                     # images moved the way other tools move them
  need umoci umoci                       # OCI layouts made the way other tools make them
  need htpasswd apache2-utils            # registry credentials for the auth tests
  need runc runc                         # reference OCI runtimes: the runtime suite holds ours to them
  need crun crun
  need dockerd docker.io                 # the image side's reference: differential tests and benches run a private dockerd
  need debootstrap debootstrap           # the Debian base the builder's tests build on (tests/reference/debian.py)
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

# The launchers: -S skips site's start-up work (.pth hooks), so the paths it would
# add are written in here; bytecode is cached even where PYTHONDONTWRITEBYTECODE
# is set, so a command that does little starts in a few ms.
launcher() {  # launcher NAME MODULE FUNCTION
  "$PYTHON" - "$PWD" "$2" "$3" > "/usr/local/bin/$1.new" <<'PY'
import sys, sysconfig
root, module, function = sys.argv[1:]
paths = list(dict.fromkeys([root, sysconfig.get_path("purelib"), sysconfig.get_path("platlib")]))
print(f"#!{sys.executable} -S")
print("# Written by pycompose's scripts/setup.sh.")
print(f"import sys\nsys.dont_write_bytecode = False\nsys.path[1:1] = {paths!r}")
print(f"from {module} import {function}\n{function}()")
PY
  chmod 755 "/usr/local/bin/$1.new"
  mv "/usr/local/bin/$1.new" "/usr/local/bin/$1"
}
launcher pycompose compose.cli.warm main
launcher pycompose-runtime engine.runtime.cli entry
"$PYTHON" -m compileall -q compose engine netplan pycompose >/dev/null
hash -r
[ "$(command -v pycompose)" = /usr/local/bin/pycompose ] || {
  echo "setup: another pycompose comes first on PATH: $(command -v pycompose)" >&2; exit 1; }
