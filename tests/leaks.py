"""What pycompose (and its tests) may leave on a host, by name: the leak check compares two snapshots.

Every kernel object pycompose makes is recognisable (DESIGN.md, "State on disk"):
links named `pc*`, network namespaces named `pc*`, cgroups under a `pycompose`
parent, the `pycompose` nftables table, `PYCOMPOSE*` iptables chains, mounts under
pycompose's roots (tests use temporary roots whose path contains `pycompose`), and
processes whose command line names pycompose.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path


def _run(*argv: str) -> str:
    if shutil.which(argv[0]) is None:
        return ""
    return subprocess.run(argv, capture_output=True, text=True, check=False).stdout


def snapshot() -> dict[str, set[str]]:
    """The pycompose-named objects on this host now (empty sets where not root)."""
    if os.geteuid() != 0:
        return {}
    links = {line.split(": ")[1].split("@")[0] for line in _run("ip", "-o", "link", "show").splitlines()
             if ": " in line}
    mounts = {f"{fields[4]} ({fields[-3]})" for fields in
              (line.split() for line in Path("/proc/self/mountinfo").read_text().splitlines())
              if "pycompose" in fields[4]}
    cgroups = {str(p) for p in Path("/sys/fs/cgroup").glob("pycompose*")}  # a pure cgroup v2 host
    cgroups |= {str(p) for p in Path("/sys/fs/cgroup").glob("*/pycompose*")}
    cgroups |= {str(p) for p in Path("/sys/fs/cgroup").glob("*/*/pycompose*")}
    cgroups |= {str(p) for own in _own_cgroups() for p in own.glob("pycompose*")}  # relative to ours
    tables = {line for line in _run("nft", "list", "tables").splitlines() if "pycompose" in line}
    chains = {line for line in _run("iptables-save").splitlines() + _run("ip6tables-save").splitlines()
              if "PYCOMPOSE" in line and line.startswith(":")}
    processes = {line.strip() for line in _run("ps", "-eo", "pid=,args=").splitlines()
                 if "pycompose" in line and "pytest" not in line and "ps -eo" not in line}
    return {
        "links named pc*": {name for name in links if name.startswith("pc")},
        "network namespaces named pc*": {n.split()[0] for n in _run("ip", "netns", "list").splitlines()
                                         if n.startswith("pc")},
        "mounts under pycompose roots": mounts,
        "cgroups named pycompose*": cgroups,
        "nftables tables named pycompose": tables,
        "iptables chains named PYCOMPOSE*": chains,
        "pycompose processes": processes,
    }


def _own_cgroups() -> list[Path]:
    """The directories of this process's own cgroups (a relative cgroup path a tool makes lands there)."""
    found = []
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if path in ("", "/"):
            continue
        name = controllers.split(",")[0].removeprefix("name=") or "unified"
        found.append(Path("/sys/fs/cgroup", name, path.lstrip("/")))
    return [d for d in found if d.is_dir()]


def difference(before: dict[str, set[str]], after: dict[str, set[str]]) -> dict[str, set[str]]:
    return {kind: after[kind] - before.get(kind, set()) for kind in after if after[kind] - before.get(kind, set())}
