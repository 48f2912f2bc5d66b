#!/usr/bin/env bash
# Make a small local image NAME (default busybox:stable) from Debian's busybox-static:
# no registry needed. Does nothing when the image is already there.
set -euo pipefail
name=${1:-busybox:stable}
pycompose image inspect "$name" >/dev/null 2>&1 && exit 0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root/bin" "$work/root/etc" "$work/root/tmp" "$work/root/root"
cp /bin/busybox "$work/root/bin/busybox"
chroot "$work/root" /bin/busybox --install -s /bin
echo "root:x:0:0:root:/root:/bin/sh" > "$work/root/etc/passwd"
echo "root:x:0:" > "$work/root/etc/group"
tar -C "$work/root" -cf "$work/rootfs.tar" .
pycompose image import "$work/rootfs.tar" "$name" >/dev/null
