"""The same ruleset for hosts without nftables: `iptables-restore --noflush` text, one per IP family.

Every rule lives in pycompose's own chains, so restoring never touches anyone else's:

    raw     PYCOMPOSE-GUARD         127.0.0.0/8 coming in from a bridge dropped (as `nft_render`'s `guard`)
    filter  PYCOMPOSE-FORWARD       the forward policy (as `nft_render`'s `forward` chain)
    nat     PYCOMPOSE-DNAT          published ports, for PREROUTING and OUTPUT to local addresses
                                    (loopback returns first when the userland proxy serves it)
    nat     PYCOMPOSE-POSTROUTING   masquerade and hairpin

Declaring a chain (`:NAME - [0:0]`) in a `--noflush` restore empties it, so the text replaces
our rules in one commit per table. The built-in chains only get one jump each (`JUMPS`), which
the apply edge adds once, at the end of the built-in chain (after Docker's rules, so Docker's
decisions about its own bridges stand), checking with `-C` first.
"""

from __future__ import annotations

from collections.abc import Iterable

from netplan.firewall.spec import BridgeNetwork, FirewallSpec, PublishedPort, validate

FORWARD = "PYCOMPOSE-FORWARD"
DNAT = "PYCOMPOSE-DNAT"
POSTROUTING = "PYCOMPOSE-POSTROUTING"
GUARD = "PYCOMPOSE-GUARD"
LOCAL = ("-m", "addrtype", "--dst-type", "LOCAL")
LOOPBACK = {4: "127.0.0.0/8", 6: "::1/128"}

JUMPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("raw", "PREROUTING", ("-j", GUARD)),
    ("filter", "FORWARD", ("-j", FORWARD)),
    ("nat", "PREROUTING", (*LOCAL, "-j", DNAT)),
    ("nat", "OUTPUT", (*LOCAL, "-j", DNAT)),
    ("nat", "POSTROUTING", ("-j", POSTROUTING)),
)
CHAINS = {"raw": (GUARD,), "filter": (FORWARD,), "nat": (DNAT, POSTROUTING)}


def render_iptables(spec: FirewallSpec, version: int = 4) -> str:
    """`iptables-restore --noflush` text (`version=6`: for `ip6tables-restore`)."""
    spec = validate(spec).sorted()
    nets = [_only(n, version) for n in spec.networks]
    ports = [p for p in spec.ports if p.host_ip.version == version]
    guard_rules = [f"-A {GUARD} -i {n.bridge} -d 127.0.0.0/8 -j DROP" for n in nets if n.subnets and version == 4]
    filter_rules = [f"-A {FORWARD} {r}" for r in _forward(nets)]
    nat_rules = [f"-A {DNAT} -d {LOOPBACK[version]} -j RETURN"] if spec.proxied_loopback else []
    nat_rules += [f"-A {DNAT} {_dnat(p)}" for p in ports]
    nat_rules += [f"-A {POSTROUTING} {r}" for r in _postrouting(nets, version)]
    return _table("raw", guard_rules) + _table("filter", filter_rules) + _table("nat", nat_rules)


def render_iptables_remove() -> str:
    """Empty and delete our chains (the jumps to them must be gone first).

    Declaring a chain creates it when missing, so removing twice is not an error.
    """
    return "".join(_table(table, [f"-X {c}" for c in chains]) for table, chains in CHAINS.items())


def _table(table: str, rules: Iterable[str]) -> str:
    lines = [f"*{table}", *(f":{c} - [0:0]" for c in CHAINS[table]), *rules, "COMMIT"]
    return "\n".join(lines) + "\n"


def _only(net: BridgeNetwork, version: int) -> BridgeNetwork:
    """The network as this family sees it; every bridge stays for isolation, even without a subnet."""
    return BridgeNetwork(net.bridge, tuple(s for s in net.subnets if s.version == version), net.internal)


def _forward(nets: list[BridgeNetwork]) -> list[str]:
    rules = []
    for net in nets:
        rules += [f"-o {net.bridge} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
                  f"-o {net.bridge} -m conntrack --ctstate DNAT -j ACCEPT"]
    # Containers of one network reach each other, internal or not (br_netfilter: bridge in and out).
    rules += [f"-i {net.bridge} -o {net.bridge} -j ACCEPT" for net in nets]
    for net in nets:
        if net.internal:
            rules += [f"-i {net.bridge} ! -o {net.bridge} -j DROP", f"-o {net.bridge} ! -i {net.bridge} -j DROP"]
        else:
            rules += [f"-i {net.bridge} -o {other.bridge} -j DROP" for other in nets if other is not net]
    rules += [f"-i {net.bridge} -j ACCEPT" for net in nets if not net.internal]
    rules += [f"-o {net.bridge} -j DROP" for net in nets]
    return rules


def _dnat(port: PublishedPort) -> str:
    match = "" if port.every_address else f"-d {port.host_ip}/{port.host_ip.max_prefixlen} "
    target = str(port.container_ip) if port.container_ip.version == 4 else f"[{port.container_ip}]"
    proto = f"-p {port.protocol} -m {port.protocol} --dport {port.host_port}"
    return f"{match}{proto} -j DNAT --to-destination {target}:{port.container_port}"


def _postrouting(nets: list[BridgeNetwork], version: int) -> list[str]:
    rules = []
    for net in (n for n in nets if not n.internal):
        for subnet in net.subnets:
            rules += [f"-s {subnet} ! -o {net.bridge} -j MASQUERADE",
                      f"-s {subnet} -o {net.bridge} -m conntrack --ctstate DNAT -j MASQUERADE"]
        if version == 4 and net.subnets:
            rules.append(f"-s 127.0.0.0/8 -o {net.bridge} -m conntrack --ctstate DNAT -j MASQUERADE")
    return rules
