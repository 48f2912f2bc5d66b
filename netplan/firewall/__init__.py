"""pycompose's firewall: describe it (`spec`), render it as text (pure), apply it in one transaction.

    spec.FirewallSpec        every pycompose bridge and published port on the host
    nft_render.render_nft    the `table inet pycompose` text          -> nft.apply / nft.remove
    iptables_render          the same as PYCOMPOSE* iptables chains   -> iptables.apply / remove
    coexist                  the FORWARD shim for hosts where Docker set the policy to DROP

Rendering never touches the host; only `nft.py` and `iptables.py` run programs (through `run`).
"""
