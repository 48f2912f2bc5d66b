"""Builds on a busybox image in temporary roots, for the builder's integration tests.

    containers = build_lab.containers     # the fixtures (module scope, and one context per test)
    context = build_lab.context

    def test_x(containers, context):
        built = build_lab.do_build(containers, context, "FROM busybox\nRUN echo hi > /hi\n")
        assert built.file("/hi").read_text() == "hi\n"

Root: overlay mounts, namespaces and cgroups for each RUN. The fixtures fail (not skip)
without it, or without Debian's busybox-static (the base image is made from it). Every
test's context is removed after it, with a check that no container, mount or work
directory of a build is left.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from engine.build.builder import BuildOptions, build
from engine.images.errors import ImageNotFound
from engine.images.images import Image
from engine.images.testing import busybox_rootfs, mounts_under, tar_dir


@pytest.fixture(scope="module")
def containers():  # type: ignore[no-untyped-def]
    from engine.containers.service import ContainerService
    from engine.images.archives.importer import import_rootfs
    from engine.images.snapshots.mounts import unmount
    from engine.roots import Roots

    if os.geteuid() != 0:
        pytest.fail("the builder's integration tests need root (mounts, namespaces, cgroups)")
    if shutil.which("busybox") is None:
        pytest.fail("busybox-static is needed: apt-get install -y busybox-static")
    state = Path(tempfile.mkdtemp(prefix="pycompose-test-"))
    run = Path(tempfile.mkdtemp(prefix="pycompose-test-"))
    svc = ContainerService(Roots(state, run))
    scratch = Path(tempfile.mkdtemp(prefix="busybox-"))
    try:
        busybox_rootfs(scratch / "rootfs")
        with open(tar_dir(scratch / "rootfs", scratch / "rootfs.tar"), "rb") as f:
            import_rootfs(svc.images, f, "busybox")
        shutil.rmtree(scratch)
        yield svc
    finally:
        for record in svc.store.list():
            svc.remove(record.id, force=True)
        svc.supervisor.shutdown()
        left = mounts_under(state) + mounts_under(run)
        for target in sorted(left, key=len, reverse=True):
            unmount(target)
        shutil.rmtree(state, ignore_errors=True)
        shutil.rmtree(run, ignore_errors=True)
        assert not left, f"mounts left under the test roots: {left}"


@pytest.fixture
def context(containers):  # type: ignore[no-untyped-def]
    directory = Path(tempfile.mkdtemp(prefix="build-context-"))
    yield directory
    shutil.rmtree(directory)
    assert containers.store.list() == [], "a build left a container"
    assert not list((containers.roots.state / "build-work").glob("*")), "a build left its work directory"


class Built:
    def __init__(self, containers, result, lines):  # type: ignore[no-untyped-def]
        self.containers, self.result, self.lines = containers, result, lines
        self.image = result.image

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def file(self, path: str) -> Path:
        """`path` in the image, from its topmost layer that has it."""
        for diff_id in reversed(self.image.diff_ids):
            found = self.containers.images.layers.path(diff_id) / path.lstrip("/")
            if os.path.lexists(found):
                return found
        raise AssertionError(f"{path} is not in the image")

    def has(self, path: str) -> bool:
        try:
            self.file(path)
        except AssertionError:
            return False
        return True

    def run(self) -> str:
        """The image's command in a container (network none): its output."""
        from engine.containers.options import RunOptions

        record = self.containers.create(RunOptions(image=self.image.id))
        try:
            self.containers.start(record.id)
            assert self.containers.wait(record.id) == 0
            with open(self.containers.log_path(self.containers.get(record.id))) as f:
                return "".join(json.loads(line)["log"] for line in f)
        finally:
            self.containers.remove(record.id, force=True)


def no_registry(reference: str) -> Image:
    """The builds' `pull`: no registry is reached from these tests (an image not in the store is missing)."""
    raise ImageNotFound(f"no such image: {reference} (the build tests reach no registry)")


def do_build(containers, context: Path, dockerfile: str, **options) -> Built:  # type: ignore[no-untyped-def]
    (context / "Dockerfile").write_text(dockerfile)
    lines: list[str] = []
    result = build(containers, BuildOptions(context=str(context), **options), say=lines.append, pull=no_registry)
    return Built(containers, result, lines)
