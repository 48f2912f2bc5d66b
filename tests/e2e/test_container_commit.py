"""`pycompose container diff|commit` end to end: a container's changes, as A/C/D lines and as a new image.

Root and busybox-static, with test_container_cmd.py's Env; each test removes its
containers, the module its images with its roots.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.e2e.engine_env import Env
from tests.integration.engine.conftest_registry import sh
from tests.waiting import eventually

CHANGES = "echo new > /added; echo more >> /etc/passwd; rm /etc/group"


def test_diff_and_commit_round_trip(cli):
    done = cli.cli("run", "--name", "changer", "busybox", "sh", "-c", CHANGES)
    assert done.returncode == 0, done.stderr
    assert cli.cli("diff", "changer").stdout.splitlines() == ["A /added", "C /etc", "D /etc/group", "C /etc/passwd"]
    done = cli.cli("commit", "-m", "three changes", "-a", "Tester <t@example.com>", "changer", "changed:v1")
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"sha256:[0-9a-f]{64}\n", done.stdout)
    seen = cli.cli("run", "--rm", "changed:v1", "sh", "-c",
                   "cat /added; tail -n 1 /etc/passwd; ls /etc/group 2>&1; echo $?")
    assert seen.stdout.splitlines() == ["new", "more", "ls: /etc/group: No such file or directory", "1"], seen.stderr
    history = cli.cli("run", "--rm", "busybox", "cat", "/etc/group")  # the base image is untouched
    assert history.returncode == 0 and history.stdout


def test_a_fresh_container_has_no_diff(cli):
    assert cli.cli("create", "--name", "fresh", "busybox", "true").returncode == 0
    done = cli.cli("diff", "fresh")
    assert (done.returncode, done.stdout) == (0, ""), done.stderr


def test_commit_of_a_running_container_with_a_change(cli):
    done = cli.cli("run", "-d", "--name", "live", "-e", "GREETING=hello", "busybox", "sh", "-c",
                   "echo x > /ready; exec sleep 300")
    rootfs = cli.state / "bundles" / done.stdout.strip() / "rootfs"
    eventually(lambda: (rootfs / "ready").exists(), what="the container's /ready")
    done = cli.cli("commit", "-c", 'CMD ["echo","committed"]', "live", "live:v1")
    assert done.returncode == 0, done.stderr
    assert "Up " in cli.cli("ls").stdout and "(Paused)" not in cli.cli("ls").stdout  # thawed after the commit
    assert cli.cli("run", "--rm", "live:v1").stdout == "committed\n"
    env = cli.cli("run", "--rm", "live:v1", "sh", "-c", "echo $GREETING; cat /ready").stdout
    assert env == "hello\nx\n"  # the container's environment went into the image, as with Docker


def test_bad_change_is_refused_and_makes_no_image(cli):
    assert cli.cli("create", "--name", "base", "busybox", "true").returncode == 0
    blobs = set((cli.state / "images" / "blobs" / "sha256").iterdir())
    done = cli.cli("commit", "-c", "RUN echo no", "base", "nope:v1")
    assert done.returncode != 0 and "RUN" in done.stderr
    assert set((cli.state / "images" / "blobs" / "sha256").iterdir()) == blobs
    assert cli.cli("run", "--rm", "nope:v1", "true").returncode != 0


@pytest.fixture
def elsewhere():  # type: ignore[no-untyped-def]
    """Another machine: its own state and run roots, with no image at all."""
    made = Env()
    try:
        yield made
    finally:
        made.close()


def test_a_committed_image_is_pushed_then_pulled_and_run_elsewhere(cli, elsewhere, registry):  # noqa: F811
    assert cli.cli("run", "--name", "changer", "busybox", "sh", "-c", CHANGES).returncode == 0
    reference = f"{registry.host}/e2e/changed:v1"
    done = cli.cli("commit", "-c", 'CMD ["cat", "/added"]', "changer", reference)
    assert done.returncode == 0, done.stderr
    done = cli.pycompose("image", "push", reference)
    assert done.returncode == 0 and ": Pushed" in done.stderr, done.stderr
    done = elsewhere.pycompose("image", "pull", reference)
    assert done.returncode == 0 and done.stdout == f"{reference}\n", done.stderr
    [layers] = {len(json.loads(env.pycompose("image", "inspect", reference).stdout)[0]["RootFS"]["Layers"])
                for env in (cli, elsewhere)}
    assert layers == 2  # busybox's layer and the committed one
    assert elsewhere.cli("run", "--rm", reference).stdout == "new\n"
    seen = elsewhere.cli("run", "--rm", reference, "sh", "-c", "tail -n 1 /etc/passwd; ls /etc/group 2>&1; echo $?")
    assert seen.stdout.splitlines() == ["more", "ls: /etc/group: No such file or directory", "1"], seen.stderr


def test_an_image_with_zstd_layers_pulls_and_runs(elsewhere, busybox_image, registry, tmp_path):  # noqa: F811
    reference = f"{registry.host}/e2e/zstd:1"
    # skopeo keeps a blob's compression when copying to a registry: recompress through a directory first.
    sh("skopeo", "copy", "--quiet", "--dest-compress", "--dest-compress-format", "zstd",
       f"oci:{busybox_image.layout}:base", f"dir:{tmp_path / 'zstd'}")
    sh("skopeo", "copy", "--quiet", "--dest-tls-verify=false", f"dir:{tmp_path / 'zstd'}", f"docker://{reference}")
    manifest = json.loads(sh("skopeo", "inspect", "--raw", "--tls-verify=false", f"docker://{reference}"))
    assert {layer["mediaType"] for layer in manifest["layers"]} == {"application/vnd.oci.image.layer.v1.tar+zstd"}
    done = elsewhere.pycompose("image", "pull", reference)
    assert done.returncode == 0, done.stderr
    seen = elsewhere.cli("run", "--rm", reference, "sh", "-c", "echo zstd layers; ls /bin/cat")
    assert seen.stdout.splitlines() == ["zstd layers", "/bin/cat"], seen.stderr
