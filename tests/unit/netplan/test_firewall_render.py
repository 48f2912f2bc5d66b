"""Rendered rulesets against golden files, including what is left after removal."""

import pytest

from netplan.firewall import coexist
from netplan.firewall.iptables_render import render_iptables, render_iptables_remove
from netplan.firewall.nft_render import apply_script, remove_script, render_nft
from tests.unit.netplan.cases import CASES, DEMO
from tests.unit.netplan.golden import assert_golden


@pytest.mark.parametrize("case", sorted(CASES))
def test_nft(case):
    assert_golden(f"{case}.nft", render_nft(CASES[case]))


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("version", [4, 6])
def test_iptables(case, version):
    assert_golden(f"{case}.ip{version}tables", render_iptables(CASES[case], version))


def test_shim():
    assert_golden("demo.shim", coexist.render_forward_shim(DEMO))


def test_removal_scripts():
    assert_golden("remove.nft", remove_script())
    assert_golden("remove.iptables", render_iptables_remove())
    assert_golden("remove.shim", coexist.render_shim_remove())


def test_the_state_after_removal_is_empty():
    """The integration tests compare the namespace's `nft list ruleset` after removal with this file."""
    assert_golden("after-remove.ruleset", "")


def test_apply_replaces_the_table_in_one_script():
    assert apply_script(DEMO) == remove_script() + render_nft(DEMO)


def test_rendering_does_not_depend_on_input_order():
    shuffled = type(DEMO)(tuple(reversed(DEMO.networks)), tuple(reversed(DEMO.ports)))
    assert render_nft(shuffled) == render_nft(DEMO)
    assert render_iptables(shuffled) == render_iptables(DEMO)


@pytest.mark.parametrize(("listing", "drops"), [
    ("-P FORWARD DROP\n-A FORWARD -j DOCKER-USER\n", True),
    ("-P FORWARD ACCEPT\n", False),
    ("", False),
])
def test_forward_policy_drops(listing, drops):
    assert coexist.forward_policy_drops(listing) is drops


def test_a_kernel_without_nf_tables_is_named(monkeypatch):
    from netplan.errors import FirewallFailed, ModuleMissing
    from netplan.firewall import nft

    def refuse(argv, operation, **_):
        raise FirewallFailed(f"{operation}: nft said: Error: Could not process rule: Operation not supported")
    monkeypatch.setattr(nft, "run", refuse)
    with pytest.raises(ModuleMissing, match=r"^apply firewall table `inet pycompose`: this kernel has no nf_tables "
                                            r"support for it \(the `nf_tables`, `nft_nat` or `nft_fib` module"):
        nft.apply(DEMO)
