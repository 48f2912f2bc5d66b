"""Apply and remove `table inet pycompose` with `nft -f -`: thin edges around `nft_render`.

    >>> apply(spec)          # replaces the table in one transaction       # doctest: +SKIP
    >>> remove()             # the table is gone; removing twice is fine   # doctest: +SKIP
"""

from __future__ import annotations

from netplan.errors import FirewallFailed, ModuleMissing
from netplan.firewall.nft_render import TABLE, apply_script, remove_script
from netplan.firewall.run import Prefix, run
from netplan.firewall.spec import FirewallSpec


def apply(spec: FirewallSpec, *, prefix: Prefix = ()) -> None:
    operation = f"apply firewall table `{TABLE}`"
    try:
        run(["nft", "-f", "-"], operation, stdin=apply_script(spec), prefix=prefix)
    except FirewallFailed as error:
        if "Operation not supported" in error.message:   # nf_tables, or its nat or fib expressions, are missing
            raise ModuleMissing(f"{operation}: this kernel has no nf_tables support for it (the `nf_tables`, "
                                "`nft_nat` or `nft_fib` module is not loaded)",
                                hint="load them (modprobe nf_tables nft_nat nft_fib_inet), or uninstall nft to "
                                     "use iptables") from None
        raise


def remove(*, prefix: Prefix = ()) -> None:
    run(["nft", "-f", "-"], f"remove firewall table `{TABLE}`", stdin=remove_script(), prefix=prefix)


def listing(*, prefix: Prefix = ()) -> str | None:
    """`nft list table inet pycompose`, or None when there is no such table."""
    done = run(["nft", "list", "table", *TABLE.split()], f"list firewall table `{TABLE}`", prefix=prefix,
               check=False)
    return done.stdout if done.returncode == 0 else None
