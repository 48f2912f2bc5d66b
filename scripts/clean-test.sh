#!/usr/bin/env bash
# Remove the debris of a crashed test run: every kernel object named as pycompose
# names its own (tests/leaks.py lists the kinds). Run as root. Touches nothing else.
set -u
for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep '^pc'); do ip netns delete "$ns"; done
for link in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep '^pc'); do
  ip link delete "$link" 2>/dev/null
done
nft delete table inet pycompose 2>/dev/null
for tool in iptables ip6tables; do
  command -v "$tool" >/dev/null || continue
  for table in filter nat; do
    "$tool" -t "$table" -S 2>/dev/null | grep -E '^-A [A-Z]+ .*-j PYCOMPOSE' | sed 's/^-A /-D /' |
      while read -r rule; do eval "$tool -t $table $rule"; done
    for chain in $("$tool" -t "$table" -S 2>/dev/null | awk '/^-N PYCOMPOSE/ {print $2}'); do
      "$tool" -t "$table" -F "$chain"; "$tool" -t "$table" -X "$chain"
    done
  done
done
awk '{print $5}' /proc/self/mountinfo | grep pycompose | sort -r | while read -r m; do umount -l "$m"; done
find /sys/fs/cgroup -depth -type d -path '*pycompose*' -exec rmdir {} \; 2>/dev/null
pkill -f '[p]ycompose-' 2>/dev/null
exit 0
