"""cgroup v1 controllers, one module each. Every module writes into the cgroup directory it is given:

    apply(cgroup: Path, resources: Resources) -> None   write the limits this controller owns (none: no write)
    stats(cgroup: Path) -> dict[str, int]               what `pycompose stats` shows (some controllers)
"""
