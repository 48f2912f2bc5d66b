"""`table inet pycompose` applied, replaced and removed inside a throwaway namespace."""

import re

import pytest

from netplan.firewall import nft
from netplan.firewall.nft_render import render_nft
from tests.unit.netplan.cases import CASES, DEMO, ONE
from tests.unit.netplan.golden import GOLDEN


def _normal(text):
    """nft lists set elements in hash order: sort them, so listings compare with what we rendered."""
    return re.sub(r"\{ ([^{}]*) \}", lambda m: "{ " + ", ".join(sorted(m.group(1).split(", "))) + " }", text)


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_kernel_holds_what_we_rendered(netns, case):
    ns = netns()
    nft.apply(CASES[case], prefix=ns.prefix)
    assert _normal(nft.listing(prefix=ns.prefix)) == _normal(render_nft(CASES[case]))


def test_apply_replaces_the_table_and_remove_leaves_nothing(netns):
    ns = netns()
    nft.apply(DEMO, prefix=ns.prefix)
    nft.apply(ONE, prefix=ns.prefix)
    assert _normal(nft.listing(prefix=ns.prefix)) == _normal(render_nft(ONE))
    assert ns.run("nft", "list", "tables").stdout == "table inet pycompose\n"
    nft.remove(prefix=ns.prefix)
    nft.remove(prefix=ns.prefix)
    assert nft.listing(prefix=ns.prefix) is None
    assert ns.run("nft", "list", "ruleset").stdout == (GOLDEN / "after-remove.ruleset").read_text()


def test_other_tables_are_left_alone(netns):
    ns = netns()
    ns.run("nft", "-f", "-", stdin="table ip other {\n\tchain c {\n\t}\n}\n")
    nft.apply(DEMO, prefix=ns.prefix)
    nft.remove(prefix=ns.prefix)
    assert ns.run("nft", "list", "tables").stdout == "table ip other\n"


def test_a_refused_ruleset_changes_nothing(netns, monkeypatch):
    from netplan.errors import FirewallFailed
    from netplan.firewall import nft_render

    ns = netns()
    nft.apply(ONE, prefix=ns.prefix)
    before = nft.listing(prefix=ns.prefix)
    monkeypatch.setattr(nft, "apply_script", lambda spec: nft_render.apply_script(spec) + "nonsense\n")
    with pytest.raises(FirewallFailed, match="apply firewall table `inet pycompose`: nft said: .*syntax error"):
        nft.apply(DEMO, prefix=ns.prefix)
    assert nft.listing(prefix=ns.prefix) == before
