"""`image inspect -f T` here and in Docker, on the same image: the same busybox tarball imported on
both sides with the same label and command.

Docker runs a template over its typed inspect struct first and, when that fails, over the raw
JSON with missingkey=error; these cases are where the two differ (a label map read with
`index`, a missing label, a missing field, a nil label map), so they check that our one pass
over JSON with typed label maps prints what Docker's two do. Known difference, left out: a
null list Docker types as a slice (`.Config.Entrypoint`) prints `[]` there and `<no value>` here.

A private dockerd (tests/reference/dockerd.py) and temporary roots on our side; needs root,
busybox-static and docker.io, and removes what it made at the end of the module.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.images.testing import busybox_rootfs, tar_dir
from tests.e2e.engine_env import Env
from tests.integration.engine.conftest_registry import require
from tests.reference.dockerd import DockerdUnavailable, PrivateDockerd

CHANGES = ("-c", "LABEL com.example.tier=front", "-c", 'CMD ["sh"]')
TEMPLATES = [
    "{{.Os}}/{{.Architecture}} {{.RootFS.Type}} {{len .RootFS.Layers}}",
    '{{index .Config.Labels "com.example.tier"}}|{{index .Config.Labels "nope"}}|{{.Config.Labels.nope}}',
    "{{json .Config.Labels}} {{.Config.Labels}} {{if .Config.Labels}}labelled{{end}}",
    '{{json .Config.Cmd}} {{.Config.Cmd}} {{join .Config.Cmd ","}} {{index .Config.Cmd 0}}',
    "{{range .RootFS.Layers}}{{.}}{{end}} {{json .RootFS.Layers}}",
    '{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}} {{with .Config.Labels}}{{index . "com.example.tier"}}'
    "{{end}}",
    "{{.Nope}}",
    "{{.Config.Nope}}",
    "{{.Config.Labels.nope.deeper}}",
    "{{printf \"%s|%5.5s|%q\" .Os .Architecture .Os}}",
]


@pytest.fixture(scope="module")
def rootfs_tar(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require("busybox")
    work = tmp_path_factory.mktemp("rootfs")
    return tar_dir(busybox_rootfs(work / "rootfs"), work / "rootfs.tar")


@pytest.fixture(scope="module")
def images(rootfs_tar: Path) -> Iterator[tuple[PrivateDockerd, Env]]:
    """The daemon with `dk/labelled:1` and our roots with `pc/labelled:1`, and a bare `dk/bare:1`, `pc/bare:1`."""
    try:
        daemon = PrivateDockerd.start()
    except DockerdUnavailable as err:
        pytest.fail(f"the Docker reference is unavailable: {err}")
    ours = Env()
    try:
        daemon.docker("import", *CHANGES, str(rootfs_tar), "dk/labelled:1")
        daemon.docker("import", str(rootfs_tar), "dk/bare:1")
        for args in ((*CHANGES, str(rootfs_tar), "pc/labelled:1"), (str(rootfs_tar), "pc/bare:1")):
            done = ours.pycompose("image", "import", *args)
            assert done.returncode == 0, done.stderr
        yield daemon, ours
    finally:
        ours.close()
        daemon.stop()
    assert daemon.leftovers() == []


def both(images: tuple[PrivateDockerd, Env], image: str, template: str) -> tuple[tuple[int, str, str], ...]:
    daemon, ours = images
    theirs = daemon.docker("image", "inspect", "-f", template, f"dk/{image}", check=False)
    mine: subprocess.CompletedProcess[str] = ours.pycompose("image", "inspect", "-f", template, f"pc/{image}")
    return tuple((done.returncode != 0, done.stdout, done.stderr.strip()) for done in (theirs, mine))


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("image", ["labelled:1", "bare:1"])
def test_image_inspect_templates_print_what_docker_prints(images, image, template):
    theirs, mine = both(images, image, template)
    assert mine == theirs
