"""PYCOMPOSE* iptables chains and the FORWARD shim, with both iptables backends, in a throwaway namespace."""

import pytest

from netplan.firewall import iptables
from tests.unit.netplan.cases import DEMO, ONE

BACKENDS = ["iptables-legacy", "iptables-nft", "ip6tables-legacy", "ip6tables-nft"]


def _ours(ns, binary):
    saved = ns.run(f"{binary}-save").stdout
    return [line for line in saved.splitlines() if "PYCOMPOSE" in line]


@pytest.mark.parametrize("binary", BACKENDS)
def test_apply_twice_then_remove(netns, binary):
    ns = netns()
    iptables.apply(DEMO, binary=binary, prefix=ns.prefix)
    iptables.apply(DEMO, binary=binary, prefix=ns.prefix)
    rules = _ours(ns, binary)
    assert sum("-j PYCOMPOSE-" in r and not r.startswith("-A PYCOMPOSE") for r in rules) == 5, rules
    assert len(rules) == len(set(rules))
    iptables.remove(binary=binary, prefix=ns.prefix)
    iptables.remove(binary=binary, prefix=ns.prefix)
    assert _ours(ns, binary) == []


@pytest.mark.parametrize("binary", ["iptables-legacy", "iptables-nft"])
def test_shim_goes_after_dockers_jumps_and_comes_out_again(netns, binary):
    ns = netns()
    ns.run(binary, "-N", "DOCKER-USER")
    ns.run(binary, "-A", "FORWARD", "-j", "DOCKER-USER")
    ns.run(binary, "-P", "FORWARD", "DROP")
    assert iptables.forward_policy_drops(binary=binary, prefix=ns.prefix)
    iptables.apply_shim(ONE, binary=binary, prefix=ns.prefix)
    iptables.apply_shim(ONE, binary=binary, prefix=ns.prefix)
    forward = ns.run(binary, "-S", "FORWARD").stdout.splitlines()
    assert forward == ["-P FORWARD DROP", "-A FORWARD -j DOCKER-USER", "-A FORWARD -j PYCOMPOSE-FORWARD"]
    iptables.remove_shim(binary=binary, prefix=ns.prefix)
    assert _ours(ns, binary) == []
    assert ns.run(binary, "-S", "FORWARD").stdout.splitlines() == ["-P FORWARD DROP", "-A FORWARD -j DOCKER-USER"]
