"""The whole pycompose ruleset as nftables text: pure, compared with golden files in the tests.

Why one `table inet pycompose`: one table holds both IP families (nat in the inet family
needs Linux 5.2), so apply and remove are one transaction on one name, and a leak check
looks for exactly one object. Nothing else on the host is touched: Docker's, firewalld's
and the distribution's tables stay as they are.

Chains:
    guard        filter/prerouting (raw): packets for 127.0.0.0/8 coming in from a pycompose bridge
                 are dropped; route_localnet (set for the DNAT of loopback) would let a container
                 that crafts them reach the host's loopback services
    forward      filter/forward: replies and published ports in, isolation between pycompose
                 bridges, internal bridges sealed, outbound from other bridges allowed, and
                 any other traffic towards a pycompose bridge dropped (no direct routing in)
    prerouting   nat/prerouting: traffic to a local address goes through `published`
    output       nat/output (priority -100, as `dstnat` is refused there by nft 1.0): the same for
                 connections made on the host (127.0.0.1:port);
                 the caller sets `route_localnet` on the bridges so they can leave lo
    published    one DNAT rule per published port; with the userland proxy on
                 (`proxied_loopback`), 127.0.0.0/8 and ::1 return first: the proxy serves them
    postrouting  nat/postrouting: for non-internal bridges, masquerade outbound traffic, and
                 DNATed traffic that comes back to its own bridge (hairpin) or from loopback
                 (IPv6 has no route_localnet: `::1` is left to the userland proxy)

A drop in this table is final for the packet; an accept is not (another table's chain on
the same hook may still drop it, as Docker's iptables FORWARD policy does), which is what
`coexist.py` is for.

`apply_script(spec)` replaces the table atomically: `nft -f` runs the whole text as one
transaction, and declaring the table before deleting it makes the delete succeed whether or
not the table existed. `remove_script()` is the same without the new table.
"""

from __future__ import annotations

from collections.abc import Iterable

from netplan.firewall.spec import Address, BridgeNetwork, FirewallSpec, PublishedPort, validate

TABLE = "inet pycompose"


def render_nft(spec: FirewallSpec) -> str:
    spec = validate(spec).sorted()
    chains = [
        _chain("guard", "type filter hook prerouting priority raw; policy accept;", _guard(spec.networks)),
        _chain("forward", "type filter hook forward priority filter; policy accept;", _forward(spec.networks)),
        _chain("prerouting", "type nat hook prerouting priority dstnat; policy accept;",
               ["fib daddr type local jump published"]),
        _chain("output", "type nat hook output priority -100; policy accept;",
               ["fib daddr type local jump published"]),
        _chain("published", None, [*_loopback_returns(spec), *(_dnat(p) for p in spec.ports)]),
        _chain("postrouting", "type nat hook postrouting priority srcnat; policy accept;",
               _postrouting(spec.networks)),
    ]
    return f"table {TABLE} {{\n" + "\n".join(chains) + "}\n"


def apply_script(spec: FirewallSpec) -> str:
    return remove_script() + render_nft(spec)


def remove_script() -> str:
    return f"table {TABLE}\ndelete table {TABLE}\n"


def _chain(name: str, hook: str | None, rules: Iterable[str]) -> str:
    lines = [f"\tchain {name} {{"]
    if hook:
        lines.append(f"\t\t{hook}")
    lines += [f"\t\t{rule}" for rule in rules]
    return "\n".join(lines) + "\n\t}\n"


def _names(bridges: Iterable[str]) -> str:
    names = [f'"{b}"' for b in bridges]
    return names[0] if len(names) == 1 else "{ " + ", ".join(names) + " }"


def _guard(networks: tuple[BridgeNetwork, ...]) -> list[str]:
    """route_localnet lets a bridge carry 127.0.0.0/8: drop such packets coming *in* from a container, or one
    could reach the host's loopback services (DNAT of the host's own loopback leaves through, not in)."""
    if not any(n.subnets for n in networks):
        return []
    return [f"iifname {_names(n.bridge for n in networks)} ip daddr 127.0.0.0/8 drop"]


def _forward(networks: tuple[BridgeNetwork, ...]) -> list[str]:
    if not networks:
        return []
    every = _names(n.bridge for n in networks)
    rules = [f"oifname {every} ct state established,related accept",
             f"oifname {every} ct status dnat accept"]
    # Containers of one network reach each other, internal or not: with br_netfilter loaded,
    # traffic between two ports of a bridge passes this hook with that bridge in and out.
    rules += [f'iifname "{net.bridge}" oifname "{net.bridge}" accept' for net in networks]
    for net in networks:
        others = [n.bridge for n in networks if n.bridge != net.bridge]
        if net.internal:
            rules += [f'iifname "{net.bridge}" oifname != "{net.bridge}" drop',
                      f'oifname "{net.bridge}" iifname != "{net.bridge}" drop']
        elif others:
            rules.append(f'iifname "{net.bridge}" oifname {_names(others)} drop')
    open_bridges = [n.bridge for n in networks if not n.internal]
    if open_bridges:
        rules.append(f"iifname {_names(open_bridges)} accept")
    rules.append(f"oifname {every} drop")
    return rules


def _loopback_returns(spec: FirewallSpec) -> list[str]:
    return ["ip daddr 127.0.0.0/8 return", "ip6 daddr ::1 return"] if spec.proxied_loopback else []


def _family(addr: Address) -> str:
    return "ip" if addr.version == 4 else "ip6"


def _dnat(port: PublishedPort) -> str:
    family = _family(port.container_ip)
    match = f"meta nfproto ipv{port.host_ip.version}" if port.every_address else f"{family} daddr {port.host_ip}"
    target = f"{port.container_ip}" if family == "ip" else f"[{port.container_ip}]"
    return f"{match} {port.protocol} dport {port.host_port} dnat {family} to {target}:{port.container_port}"


def _postrouting(networks: tuple[BridgeNetwork, ...]) -> list[str]:
    rules = []
    for net in (n for n in networks if not n.internal):
        for subnet in net.subnets:
            family = "ip" if subnet.version == 4 else "ip6"
            rules += [f'{family} saddr {subnet} oifname != "{net.bridge}" masquerade',
                      f'oifname "{net.bridge}" ct status dnat {family} saddr {subnet} masquerade']
        if any(s.version == 4 for s in net.subnets):
            rules.append(f'oifname "{net.bridge}" ct status dnat ip saddr 127.0.0.0/8 masquerade')
    return rules
