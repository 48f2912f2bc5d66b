"""The service's firewall: the whole ruleset rendered from every record, applied in one transaction.

`spec_of(records, ipam)` is pure: every network's bridge and subnets, every endpoint's
published ports. `Firewall(host_netns).apply(spec)` replaces `table inet pycompose` in the
host namespace (a throwaway one in tests, entered with `nsenter --net=`), or removes it when
no network is left, so an empty service leaves no table behind. Where `nft` is not installed,
the same ruleset goes to pycompose's own iptables and ip6tables chains (`iptables_render`). Where another engine set the
iptables FORWARD policy to DROP, the coexistence shim (`firewall.coexist`) follows the
networks; where it did not, iptables is only read, never written.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from netplan import netns
from netplan.firewall import iptables, nft
from netplan.firewall.iptables_render import FORWARD
from netplan.firewall.run import Prefix, run
from netplan.firewall.spec import BridgeNetwork, FirewallSpec, PublishedPort
from netplan.ipam_state import IpamState
from netplan.records import Records

BACKENDS = ("iptables-nft", "iptables-legacy")
# Empty or absent: no legacy table, and none is made by asking. thread-self: read by a thread that entered the
# host namespace, /proc/net would show this process's namespace instead.
LEGACY_TABLES = "/proc/thread-self/net/ip_tables_names"


def spec_of(records: Records, ipam: IpamState, *, proxied_loopback: bool = False) -> FirewallSpec:
    networks = []
    for net in records.networks.values():
        ipam_record = ipam.networks.get(net.name)
        subnets = tuple(p.subnet for p in ipam_record.subnets) if ipam_record else ()
        networks.append(BridgeNetwork(net.bridge, subnets, net.internal))
    ports: list[PublishedPort] = [p for e in records.endpoints.values() for p in e.ports]
    return FirewallSpec(tuple(networks), tuple(ports), proxied_loopback)


class Firewall:
    """The ruleset's one home: `table inet pycompose` through `nft` where it is installed (`backend="nft"`),
    else the PYCOMPOSE* chains of iptables and ip6tables (`backend="iptables"`, or a flavour's name such as
    "iptables-legacy"), which need no shim: their FORWARD jump sits in the very chain Docker's policy guards."""

    def __init__(self, host_netns: Path | None = None, backend: str | None = None):
        self.host_netns = host_netns
        self.prefix: Prefix = ("nsenter", f"--net={host_netns}") if host_netns is not None else ()
        self.backend = backend or ("nft" if shutil.which("nft") else "iptables")

    def apply(self, spec: FirewallSpec) -> None:
        if self.backend != "nft":
            self._apply_iptables(spec)
            return
        if spec.networks:
            nft.apply(spec, prefix=self.prefix)
        else:
            nft.remove(prefix=self.prefix)
        for binary in self._backends():
            self._shim(binary, spec)

    def _apply_iptables(self, spec: FirewallSpec) -> None:
        for binary in (self.backend, self.backend.replace("iptables", "ip6tables", 1)):
            if spec.networks:
                iptables.apply(spec, binary=binary, prefix=self.prefix)
            else:
                iptables.remove(binary=binary, prefix=self.prefix)

    def _backends(self) -> list[str]:
        """iptables-nft if installed; iptables-legacy only where legacy tables exist already."""
        found = [b for b in BACKENDS if shutil.which(b)]
        if "iptables-legacy" in found and not self._legacy_in_use():
            found.remove("iptables-legacy")
        return found

    def _legacy_in_use(self) -> bool:
        def read() -> str:
            try:
                return Path(LEGACY_TABLES).read_text()
            except OSError:
                return ""
        return bool((read() if self.host_netns is None else netns.inside(self.host_netns, read)).strip())

    def _shim(self, binary: str, spec: FirewallSpec) -> None:
        if spec.networks and iptables.forward_policy_drops(binary=binary, prefix=self.prefix):
            iptables.apply_shim(spec, binary=binary, prefix=self.prefix)
        elif run([binary, "-w", "-S", FORWARD], "", prefix=self.prefix, check=False).returncode == 0:
            iptables.remove_shim(binary=binary, prefix=self.prefix)

    def listing(self) -> str | None:
        """The ruleset as the kernel holds it (nft's table, or the PYCOMPOSE lines of iptables-save); None: none."""
        if self.backend == "nft":
            return nft.listing(prefix=self.prefix)
        lines = [line for binary in (self.backend, self.backend.replace("iptables", "ip6tables", 1))
                 for line in run([f"{binary}-save"], f"list rules with {binary}-save", prefix=self.prefix,
                                 check=False).stdout.splitlines() if "PYCOMPOSE" in line]
        return "".join(f"{line}\n" for line in lines) or None
