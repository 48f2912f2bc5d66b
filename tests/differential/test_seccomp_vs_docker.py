"""Our rendering of Docker's default seccomp profile against the `linux.seccomp` dockerd writes into config.json.

A private dockerd (tests/reference/dockerd.py) runs a busybox container for each
capability set; the runtime bundle's config.json (under the daemon's containerd state)
holds what Docker gave runc. Ours, for the same bounding set, must be the same object.
Needs root, busybox-static and docker.io; the daemon and everything it made go at the end.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.containers import seccomp
from engine.containers.seccomp_default import PROFILE
from engine.images.testing import busybox_rootfs, tar_dir
from tests.reference.dockerd import PrivateDockerd


@pytest.fixture(scope="module")
def dockerd(dockerd: PrivateDockerd, tmp_path_factory: pytest.TempPathFactory) -> PrivateDockerd:
    """The private dockerd of tests/differential/conftest.py, with busybox imported as bb:1."""
    work = tmp_path_factory.mktemp("seccomp-rootfs")
    dockerd.docker("import", str(tar_dir(busybox_rootfs(work / "rootfs"), work / "rootfs.tar")), "bb:1")
    return dockerd


def docker_config(dockerd: PrivateDockerd, *flags: str) -> dict:
    """The config.json Docker hands runc for `docker run <flags> bb:1 sleep`."""
    cid = dockerd.docker("run", "-d", "--network", "none", *flags, "bb:1", "sleep", "60").stdout.strip()
    try:
        found = list(Path(dockerd.base).glob(f"exec/**/{cid}/config.json"))
        assert len(found) == 1, f"no runtime bundle for {cid} under {dockerd.base}/exec"
        return json.loads(found[0].read_text())
    finally:
        dockerd.docker("rm", "-f", cid)


@pytest.mark.parametrize("flags", [
    (),
    ("--cap-add", "SYS_ADMIN"),
    ("--cap-add", "SYS_PTRACE", "--cap-add", "SYS_TIME"),
    ("--cap-drop", "SYS_CHROOT", "--cap-add", "SYS_NICE"),
], ids=["default", "sys_admin", "ptrace_time", "no_chroot_nice"])
def test_default_profile_renders_as_dockers(dockerd, flags):
    config = docker_config(dockerd, *flags)
    ours = seccomp.render(PROFILE, config["process"]["capabilities"]["bounding"])
    assert ours == config["linux"]["seccomp"]


def test_unconfined_has_no_filter(dockerd):
    assert "seccomp" not in docker_config(dockerd, "--security-opt", "seccomp=unconfined")["linux"]
    assert seccomp.linux_seccomp("unconfined", []) is None
