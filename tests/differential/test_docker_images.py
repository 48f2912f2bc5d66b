"""Images cross between Docker and pycompose: `docker save` loads and runs here, `pycompose image save` loads
and runs in Docker, and a registry on 127.0.0.1 carries images both ways.

The reference is a private dockerd (tests/reference/dockerd.py) whose containers run
with `--network none`; pycompose runs on temporary roots (the e2e suite's Env). Both
sides make the same changes to a busybox image (a file added, one changed, files,
a symlink and a directory deleted, a directory replaced: an opaque whiteout), and a
user's checks follow: the files a container sees, the image ID, the layers and the
history. Needs root, busybox-static, docker.io and docker-registry; everything made
here (daemon, cgroups, roots, containers, mounts) is removed at the end of the module.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.images.testing import busybox_rootfs, tar_dir
from tests.e2e.engine_env import REPO, Env
from tests.integration.engine.conftest_registry import registry, require  # noqa: F401
from tests.reference.dockerd import PrivateDockerd

CHANGES = ("echo added > /added; echo changed >> /etc/passwd; rm /bin/vi /etc/group; rm -r /root; "
           "rm -rf /usr/sbin; mkdir /usr/sbin; echo only > /usr/sbin/only")
PROBE = ("cat /added; tail -n 1 /etc/passwd; for f in /bin/vi /etc/group /root; do [ -e $f ] || echo gone $f; done; "
         "ls /usr/sbin; cat /bin/sh > /dev/null && echo sh-ok")
SEEN = ["added", "changed", "gone /bin/vi", "gone /etc/group", "gone /root", "only", "sh-ok"]


@pytest.fixture(scope="module")
def ours() -> Iterator[Env]:
    made = Env()
    try:
        yield made
    finally:
        made.close()


@pytest.fixture(scope="module")
def rootfs_tar(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("rootfs")
    return tar_dir(busybox_rootfs(work / "rootfs"), work / "rootfs.tar")


@pytest.fixture(scope="module")
def docker_image(dockerd: PrivateDockerd, rootfs_tar: Path) -> str:
    """`docker import` of busybox, changed by a `docker run` and `docker commit`ed: `dk/changed:1`."""
    dockerd.docker("import", str(rootfs_tar), "dk/base:1")
    dockerd.docker("run", "--network", "none", "--name", "dk-changer", "dk/base:1", "sh", "-c", CHANGES)
    dockerd.docker("commit", "-m", "docker commit", "-c", 'CMD ["cat", "/added"]', "dk-changer", "dk/changed:1")
    dockerd.docker("rm", "dk-changer")
    return "dk/changed:1"


@pytest.fixture(scope="module")
def our_image(ours: Env, rootfs_tar: Path) -> str:
    """`pycompose image import` of busybox, changed by a `container run` and `container commit`ed: `pc/changed:1`."""
    done = ours.pycompose("image", "import", str(rootfs_tar), "pc/base:1")
    assert done.returncode == 0, done.stderr
    done = ours.cli("run", "--name", "pc-changer", "pc/base:1", "sh", "-c", CHANGES)
    assert done.returncode == 0, done.stderr
    done = ours.cli("commit", "-m", "pycompose commit", "-c", 'CMD ["cat", "/added"]', "pc-changer", "pc/changed:1")
    assert done.returncode == 0, done.stderr
    assert ours.cli("rm", "pc-changer").returncode == 0
    return "pc/changed:1"


def docker_inspect(dockerd: PrivateDockerd, image: str) -> dict:
    [obj] = json.loads(dockerd.docker("image", "inspect", image).stdout)
    return obj


def our_inspect(ours: Env, image: str) -> dict:
    done = ours.pycompose("image", "inspect", image)
    assert done.returncode == 0, done.stderr
    [obj] = json.loads(done.stdout)
    return obj


def assert_same_history(dockerd: PrivateDockerd, ours: Env, image: str) -> None:
    """One row per layer on both sides, each with Docker's CREATED BY and COMMENT (full, `--no-trunc`)."""
    theirs = dockerd.docker("history", "--no-trunc", "--format", "{{.CreatedBy}}\t{{.Comment}}", image).stdout
    done = ours.pycompose("image", "history", "--no-trunc", image)
    assert done.returncode == 0, done.stderr
    rows = done.stdout.splitlines()[1:]
    assert len(rows) == len(theirs.splitlines()) == 2
    for row, line in zip(rows, theirs.splitlines(), strict=True):
        created_by, _, comment = line.partition("\t")
        assert created_by in row and comment in row, (row, line)
    size = int(dockerd.docker("image", "inspect", "-f", "{{.Size}}", image).stdout)
    [obj] = json.loads(ours.pycompose("image", "inspect", image).stdout)
    assert obj["Size"] == size  # the content of the layers' files, not their compressed blobs


def docker_run(dockerd: PrivateDockerd, image: str, *command: str) -> list[str]:
    return dockerd.docker("run", "--rm", "--network", "none", image, *command).stdout.splitlines()


def our_run(ours: Env, image: str, *command: str) -> list[str]:
    done = ours.cli("run", "--rm", image, *command)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def assert_same_image(docker: dict, ours: dict) -> None:
    """What `image inspect` users compare: the ID (the config digest), the layers, the command."""
    assert ours["Id"] == docker["Id"]
    assert ours["RootFS"]["Layers"] == docker["RootFS"]["Layers"]
    assert len(ours["RootFS"]["Layers"]) == 2
    assert ours["Config"]["Cmd"] == docker["Config"]["Cmd"] == ["cat", "/added"]
    assert (ours["Os"], ours["Architecture"]) == (docker["Os"], docker["Architecture"])


def test_a_docker_saved_image_loads_and_runs_in_pycompose(dockerd, docker_image, ours, tmp_path):
    archive = tmp_path / "docker-saved.tar"
    dockerd.docker("save", "-o", str(archive), docker_image)
    done = ours.pycompose("image", "load", "-i", str(archive))
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"Loaded image: {docker_image}\n"
    assert our_run(ours, docker_image, "sh", "-c", PROBE) == SEEN
    assert our_run(ours, docker_image) == ["added"]
    assert_same_image(docker_inspect(dockerd, docker_image), our_inspect(ours, docker_image))
    assert_same_history(dockerd, ours, docker_image)


def test_a_pycompose_saved_image_loads_and_runs_in_docker(dockerd, our_image, ours, tmp_path):
    archive = tmp_path / "pycompose-saved.tar"
    done = ours.pycompose("image", "save", "-o", str(archive), our_image)
    assert done.returncode == 0, done.stderr
    loaded = dockerd.docker("load", "-i", str(archive)).stdout
    assert loaded.splitlines()[-1] == f"Loaded image: {our_image}"
    assert docker_run(dockerd, our_image, "sh", "-c", PROBE) == SEEN
    assert docker_run(dockerd, our_image) == ["added"]
    assert_same_image(docker_inspect(dockerd, our_image), our_inspect(ours, our_image))
    assert_same_history(dockerd, ours, our_image)


def test_pycompose_pushes_and_docker_pulls_and_runs(dockerd, our_image, ours, registry):  # noqa: F811
    remote = f"{registry.host}/diff/from-pycompose:1"
    assert ours.pycompose("image", "tag", our_image, remote).returncode == 0
    pushed = ours.pycompose("image", "push", remote)
    assert pushed.returncode == 0, pushed.stderr
    digest = pushed.stdout.split("digest: ")[1].split()[0]
    pulled = dockerd.docker("pull", remote).stdout
    assert f"Digest: {digest}" in pulled
    assert docker_run(dockerd, remote, "sh", "-c", PROBE) == SEEN
    assert_same_image(docker_inspect(dockerd, remote), our_inspect(ours, remote))
    assert docker_inspect(dockerd, remote)["RepoDigests"] == [f"{registry.host}/diff/from-pycompose@{digest}"]


def test_docker_pushes_and_pycompose_pulls_and_runs(dockerd, docker_image, ours, registry):  # noqa: F811
    remote = f"{registry.host}/diff/from-docker:1"
    dockerd.docker("tag", docker_image, remote)
    pushed = dockerd.docker("push", remote).stdout
    digest = pushed.split("digest: ")[1].split()[0]
    fresh = Env()  # roots that have never seen the image: every layer comes from the registry
    try:
        done = fresh.pycompose("image", "pull", remote)
        assert done.returncode == 0, done.stderr
        assert f"Digest: {digest}" in done.stderr
        assert our_run(fresh, remote, "sh", "-c", PROBE) == SEEN
        assert our_run(fresh, remote) == ["added"]
        obj = our_inspect(fresh, remote)
        assert_same_image(docker_inspect(dockerd, remote), obj)
        assert obj["RepoDigests"] == [f"{registry.host}/diff/from-docker@{digest}"]
    finally:
        fresh.close()


def test_a_docker_archive_of_two_names_and_one_saved_by_id_load_as_docker_says(dockerd, docker_image, ours,
                                                                                tmp_path):
    dockerd.docker("tag", docker_image, "dk/again:2")
    both, by_id = tmp_path / "both.tar", tmp_path / "by-id.tar"
    dockerd.docker("save", "-o", str(both), docker_image, "dk/again:2")
    image_id = docker_inspect(dockerd, docker_image)["Id"]
    dockerd.docker("save", "-o", str(by_id), image_id)
    done = ours.pycompose("image", "load", "-i", str(both))
    assert done.returncode == 0, done.stderr
    assert sorted(done.stdout.splitlines()) == [f"Loaded image: {n}" for n in sorted([docker_image, "dk/again:2"])]
    assert our_run(ours, "dk/again:2") == ["added"]
    done = ours.pycompose("image", "load", "-i", str(by_id))
    assert (done.returncode, done.stdout) == (0, f"Loaded image ID: {image_id}\n"), done.stderr


def pipe(left: list[str], left_env: dict[str, str], right: list[str],
         right_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`left | right`, as a shell runs it; fails when the left side does."""
    with subprocess.Popen(left, stdout=subprocess.PIPE, env=left_env, cwd=REPO) as source:
        done = subprocess.run(right, stdin=source.stdout, capture_output=True, text=True, env=right_env, cwd=REPO,
                              timeout=120, check=False)
        assert source.stdout is not None
        source.stdout.close()
        assert source.wait(timeout=120) == 0, f"{' '.join(left)} failed"
    return done


def test_archives_stream_through_a_pipe_both_ways(dockerd, docker_image, our_image, ours):
    pycompose = [sys.executable, "-m", "compose.cli.main", "image"]
    done = pipe([dockerd.docker_binary, "save", docker_image], dockerd.environ, [*pycompose, "load", "-q"],
                ours.environ)
    assert (done.returncode, done.stdout) == (0, ""), done.stderr
    assert our_run(ours, docker_image) == ["added"]
    dockerd.docker("rmi", our_image, check=False)
    done = pipe([*pycompose, "save", our_image], ours.environ, [dockerd.docker_binary, "load"], dockerd.environ)
    assert done.returncode == 0 and done.stdout.splitlines()[-1] == f"Loaded image: {our_image}", done.stderr
    assert docker_run(dockerd, our_image, "sh", "-c", PROBE) == SEEN
