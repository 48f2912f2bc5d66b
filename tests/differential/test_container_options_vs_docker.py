"""The config.json of `container run` with Docker's options, against the one Docker's daemon writes for the same
flags: a private dockerd (tests/reference/dockerd.py) and pycompose on temporary roots run the same busybox
image with the same options, and the parts of the two documents that the options decide are compared.

What is left out, and why: the hostname (a random id each), the cgroup namespace (Docker's default on a v1
host is the host's; pycompose keeps its own), the masked paths (newer Dockers than this 20.10 mask
/sys/devices/virtual/powercap too, as pycompose does), the device cgroup's default list (runc adds its own
defaults to either), and disableOOMKiller false (Docker writes the default out). Needs root, busybox-static
and docker.io; the daemon, its cgroups and both roots are removed at the end of the module.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.images.testing import busybox_rootfs, tar_dir
from tests.e2e.engine_env import Env
from tests.reference.dockerd import PrivateDockerd

FLAGS = ("--network", "none", "--cap-add", "net_admin", "--cap-drop", "chown", "--read-only",
         "--security-opt", "no-new-privileges", "--sysctl", "net.core.somaxconn=1024", "--ulimit", "nofile=1024:2048",
         "--shm-size", "32m", "--oom-score-adj", "300", "--domainname", "ex.org", "--group-add", "4242", "--init",
         "--device", "/dev/null:/dev/mynull:r", "--device-cgroup-rule", "c 10:200 rw", "--cpu-shares", "512",
         "--memory", "64m", "--memory-reservation", "32m", "--memory-swappiness", "10", "--pids-limit", "20",
         "--ipc", "shareable", "--ulimit", "core=-1")
COMPARED = (("process", "args"), ("process", "capabilities"), ("process", "noNewPrivileges"),
            ("process", "oomScoreAdj"), ("process", "user"), ("root", "readonly"), ("linux", "sysctl"),
            ("linux", "devices"), ("linux", "resources", "cpu"), ("linux", "resources", "pids"),
            ("linux", "readonlyPaths"))


@pytest.fixture(scope="module")
def ours() -> Iterator[Env]:
    made = Env()
    try:
        made.import_busybox()
        yield made
    finally:
        made.close()


def docker_config(dockerd: PrivateDockerd, tmp_path: Path) -> dict:
    busybox_rootfs(tmp_path / "rootfs")
    dockerd.docker("import", str(tar_dir(tmp_path / "rootfs", tmp_path / "rootfs.tar")), "bb:1")
    cid = dockerd.docker("run", "-d", *FLAGS, "bb:1", "sleep", "60").stdout.strip()
    try:
        found = list((dockerd.base / "exec").rglob(f"{cid}/config.json"))
        assert found, "the daemon's bundle of the container was not found under its exec root"
        return json.loads(found[0].read_text())
    finally:
        dockerd.docker("rm", "-f", cid)


def our_config(ours: Env) -> dict:
    done = ours.cli("create", *FLAGS, "busybox", "sleep", "60")
    assert done.returncode == 0, done.stderr
    cid = done.stdout.strip()
    try:
        return json.loads((ours.service().bundle(cid) / "config.json").read_text())
    finally:
        ours.cli("rm", "-f", cid)


def pick(doc: dict, path: tuple[str, ...]) -> object:
    for key in path:
        doc = doc.get(key) if isinstance(doc, dict) else None  # type: ignore[assignment]
    return doc


def test_config_json_agrees_with_dockers(dockerd, ours, tmp_path):  # type: ignore[no-untyped-def]
    theirs, mine = docker_config(dockerd, tmp_path), our_config(ours)
    for path in COMPARED:
        assert pick(mine, path) == pick(theirs, path), ".".join(path)
    by_type = sorted(theirs["process"]["rlimits"], key=lambda r: r["type"])  # Docker's order is a Go map's
    assert sorted(mine["process"]["rlimits"], key=lambda r: r["type"]) == by_type
    memory = {k: v for k, v in pick(theirs, ("linux", "resources", "memory")).items() if v is not False}
    assert pick(mine, ("linux", "resources", "memory")) == memory
    assert {ns["type"] for ns in mine["linux"]["namespaces"]} - {"cgroup"} == {
        ns["type"] for ns in theirs["linux"]["namespaces"]}
    mounts = {m["destination"]: (m["type"], m["options"]) for m in theirs["mounts"]}
    for mount in mine["mounts"]:
        if mount["destination"] in mounts:
            assert (mount["type"], mount["options"]) == mounts[mount["destination"]], mount["destination"]
    assert mine["linux"]["resources"]["devices"][-2:] == theirs["linux"]["resources"]["devices"][-2:]
