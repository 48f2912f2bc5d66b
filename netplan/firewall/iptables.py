"""Apply and remove the iptables rendering, and Docker's coexistence shim: thin edges.

`binary` names the iptables flavour (`iptables`, `iptables-legacy`, `iptables-nft`, or the
`ip6tables` ones); its restore program is `<binary>-restore`, as the iptables packages name them.
"""

from __future__ import annotations

from netplan.firewall import coexist
from netplan.firewall.iptables_render import JUMPS, render_iptables, render_iptables_remove
from netplan.firewall.run import Prefix, run
from netplan.firewall.spec import FirewallSpec

Jump = tuple[str, str, tuple[str, ...]]


def apply(spec: FirewallSpec, *, binary: str = "iptables", prefix: Prefix = ()) -> None:
    version = 6 if binary.startswith("ip6") else 4
    _restore(binary, render_iptables(spec, version), "apply pycompose iptables chains", prefix)
    for jump in JUMPS:
        _ensure_jump(binary, jump, prefix)


def remove(*, binary: str = "iptables", prefix: Prefix = ()) -> None:
    for jump in JUMPS:
        _drop_jump(binary, jump, prefix)
    _restore(binary, render_iptables_remove(), "remove pycompose iptables chains", prefix)


def forward_policy_drops(*, binary: str = "iptables", prefix: Prefix = ()) -> bool:
    done = run([binary, "-w", "-S", "FORWARD"], f"read the FORWARD policy with {binary}", prefix=prefix)
    return coexist.forward_policy_drops(done.stdout)


def apply_shim(spec: FirewallSpec, *, binary: str = "iptables", prefix: Prefix = ()) -> None:
    """Let pycompose traffic past a FORWARD policy of DROP (see `coexist`)."""
    _restore(binary, coexist.render_forward_shim(spec), "apply the pycompose FORWARD shim", prefix)
    _ensure_jump(binary, coexist.JUMP, prefix)


def remove_shim(*, binary: str = "iptables", prefix: Prefix = ()) -> None:
    _drop_jump(binary, coexist.JUMP, prefix)
    _restore(binary, coexist.render_shim_remove(), "remove the pycompose FORWARD shim", prefix)


def _restore(binary: str, text: str, operation: str, prefix: Prefix) -> None:
    run([f"{binary}-restore", "-w", "--noflush"], operation, stdin=text, prefix=prefix)


def _ensure_jump(binary: str, jump: Jump, prefix: Prefix) -> None:
    table, chain, rule = jump
    if run([binary, "-w", "-t", table, "-C", chain, *rule], "", prefix=prefix, check=False).returncode != 0:
        run([binary, "-w", "-t", table, "-A", chain, *rule], f"add a jump to `{rule[-1]}` in {table}/{chain}",
            prefix=prefix)


def _drop_jump(binary: str, jump: Jump, prefix: Prefix) -> None:
    table, chain, rule = jump
    while run([binary, "-w", "-t", table, "-D", chain, *rule], "", prefix=prefix, check=False).returncode == 0:
        pass

