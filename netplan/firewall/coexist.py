"""Living beside Docker: one accept chain in the iptables `filter` FORWARD chain, nothing more.

The problem. Docker (with its iptables backend) sets the policy of the iptables `filter`
FORWARD chain to DROP. With iptables-nft that chain is an nftables base chain of another
table (`ip filter`); with iptables-legacy it is an x_tables hook. Either way it sees every
forwarded packet after or before our `inet pycompose` forward chain, and an nftables
`accept` ends only the base chain it is in: no priority lets our table overrule its drop.

The decision. Where the FORWARD policy is DROP (`forward_policy_drops`), pycompose adds one
chain of its own, PYCOMPOSE-FORWARD, that accepts everything in or out of a pycompose bridge,
and one jump to it *appended* to FORWARD: Docker's own jumps (DOCKER-USER, DOCKER-FORWARD)
stay in front, so Docker still decides about traffic to and from its bridges, and only the
packets nobody else claimed reach ours before the policy. The real policy (isolation,
internal networks, no direct routing in) stays in `inet pycompose`, where a drop is final
whatever any other table accepts. DOCKER-USER is not used: a rule there runs before Docker's
and would let pycompose traffic past Docker's protection of its own bridges.

The shim goes to whichever backend holds the DROP policy (legacy, nft, or both), so it is
rendered once and applied per backend by `iptables.py`.
"""

from __future__ import annotations

from netplan.firewall.iptables_render import FORWARD
from netplan.firewall.spec import FirewallSpec, validate

JUMP = ("filter", "FORWARD", ("-j", FORWARD))


def forward_policy_drops(listing: str) -> bool:
    """Whether `iptables -S FORWARD` output shows a DROP policy."""
    return any(line.split() == ["-P", "FORWARD", "DROP"] for line in listing.splitlines())


def render_forward_shim(spec: FirewallSpec) -> str:
    """`iptables-restore --noflush` text: PYCOMPOSE-FORWARD accepting traffic of every pycompose bridge."""
    rules = []
    for net in validate(spec).sorted().networks:
        rules += [f"-A {FORWARD} -i {net.bridge} -j ACCEPT", f"-A {FORWARD} -o {net.bridge} -j ACCEPT"]
    return "\n".join(["*filter", f":{FORWARD} - [0:0]", *rules, "COMMIT"]) + "\n"


def render_shim_remove() -> str:
    return "\n".join(["*filter", f":{FORWARD} - [0:0]", f"-X {FORWARD}", "COMMIT"]) + "\n"
