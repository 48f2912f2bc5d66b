"""cgroup v2 controllers, one module each, all writing into the one unified cgroup directory they are given:

    apply(cgroup: Path, resources: Resources) -> None   write the limits this controller owns (none: no write)
    stats(cgroup: Path) -> dict[str, int]               what `pycompose stats` shows (some controllers)

Freezing and killing are core files of every v2 cgroup (`freeze.py`); device control is
an eBPF program attached to the cgroup (`devices.py` assembles it, `bpf.py` loads and attaches it).
"""
