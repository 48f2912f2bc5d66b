"""engine.cgroups: resource limits, accounting, pause and kill for containers, on cgroup v1, v2 and hybrid hosts.

The public surface:

    detect() -> Layout                     where each controller lives (detect.py)
    Resources, from_docker(...)            OCI `linux.resources` as frozen dataclasses (resources.py)
    Cgroup.create(path, resources)         one container's cgroup on every hierarchy (manager.py)

Layout of the package: `v1/<controller>.py` and `v2/<controller>.py` each write the
files of one controller into a directory they are given; `fs.py` is the one place that
touches the file system; `manager.py` decides which directory each controller gets.
Nothing is imported here, so `import engine.cgroups.resources` stays cheap.
"""
