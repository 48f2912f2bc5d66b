"""The one place the firewall edges run a program; failures become `FirewallFailed`.

`prefix` runs the program elsewhere, e.g. `("ip", "netns", "exec", "pctest-1a2b")`: the
integration tests apply rulesets inside throwaway network namespaces that way.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence

from netplan.errors import FirewallFailed

Prefix = Sequence[str]


def run(argv: Sequence[str], operation: str, *, stdin: str | None = None, prefix: Prefix = (),
        check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `argv`; on failure raise `FirewallFailed("<operation>: <what the program said>")`."""
    try:
        done = subprocess.run([*prefix, *argv], input=stdin, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise FirewallFailed(f"{operation}: `{argv[0]}` is not installed",
                             hint="install nftables (or iptables) with the system's package manager") from None
    if check and done.returncode != 0:
        said = (done.stderr or done.stdout).strip() or f"exit status {done.returncode}"
        raise FirewallFailed(f"{operation}: {argv[0]} said: {said}")
    return done
