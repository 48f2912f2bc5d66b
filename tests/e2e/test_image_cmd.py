"""The image commands as a user runs them: import -> tag -> push -> rm -> pull -> inspect -> save -> rm -> load -> ls,
against a real registry on 127.0.0.1, each command a `pycompose` subprocess on a temporary state root."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from engine.images.testing import busybox_rootfs, tar_dir
from tests.integration.engine.conftest_registry import require

ROOT = Path(__file__).resolve().parents[2]


class Cli:
    """`pycompose` with its own state and run roots, config dir and home: nothing shared with the host."""

    def __init__(self, base: Path):
        self.base = base
        self.state = Path(tempfile.mkdtemp(prefix="pycompose-test-"))
        self.run_root = Path(tempfile.mkdtemp(prefix="pycompose-test-run-"))
        self.env = {"PATH": os.environ["PATH"], "HOME": str(base), "PYTHONPATH": str(ROOT),
                    "DOCKER_CONFIG": str(base / "docker-config"), "PYCOMPOSE_ROOT": str(self.state),
                    "PYCOMPOSE_RUN_ROOT": str(self.run_root)}

    def __call__(self, *args: str, ok: bool = True, stdin: str | None = None) -> subprocess.CompletedProcess:
        done = subprocess.run([sys.executable, "-m", "compose.cli.main", *args], cwd=self.base, input=stdin,
                              capture_output=True, text=True, env=self.env, timeout=60)
        if ok:
            assert done.returncode == 0, f"pycompose {' '.join(args)}: {done.returncode}\n{done.stderr}"
        return done

    def close(self) -> None:
        shutil.rmtree(self.state, ignore_errors=True)
        shutil.rmtree(self.run_root, ignore_errors=True)


@pytest.fixture
def cli(tmp_path):
    require()
    c = Cli(tmp_path)
    yield c
    c.close()


@pytest.fixture(scope="module")
def rootfs_tar(tmp_path_factory) -> Path:
    require("busybox")
    work = tmp_path_factory.mktemp("rootfs")
    return tar_dir(busybox_rootfs(work / "rootfs"), work / "rootfs.tar")


def inspect(cli: Cli, name: str) -> dict:
    [obj] = json.loads(cli("image", "inspect", name).stdout)
    return obj


def test_import_push_pull_save_load_round_trip(cli, registry, rootfs_tar, tmp_path):  # noqa: F811
    image_id = cli("image", "import", str(rootfs_tar), "local/bb:1", "-c", 'CMD ["/bin/sh"]', "-c", "ENV A=1",
                   "-c", "WORKDIR /tmp", "-c", "EXPOSE 80").stdout.strip()
    assert image_id.startswith("sha256:") and len(image_id) == 71
    remote = f"{registry.host}/e2e/bb:1"
    cli("image", "tag", "local/bb:1", remote)
    pushed = cli("image", "push", remote)
    assert f"The push refers to repository [{registry.host}/e2e/bb]" in pushed.stderr
    assert ": Pushed" in pushed.stderr
    tag, _, digest = pushed.stdout.strip().partition(": digest: ")
    assert tag == "1" and digest.startswith("sha256:")
    digest = digest.split()[0]
    before = inspect(cli, remote)
    assert before["Id"] == image_id
    assert before["Config"]["Cmd"] == ["/bin/sh"] and before["Config"]["Env"] == ["A=1"]
    assert before["Config"]["WorkingDir"] == "/tmp" and before["Config"]["ExposedPorts"] == {"80/tcp": {}}
    assert sorted(before["RepoTags"]) == sorted([remote, "local/bb:1"])
    assert before["RootFS"]["Type"] == "layers" and len(before["RootFS"]["Layers"]) == 1

    by_id = cli("image", "rm", image_id[7:19], ok=False)
    assert by_id.returncode == 16 and "multiple repositories" in by_id.stderr
    removed = cli("image", "rm", remote, "local/bb:1").stdout.splitlines()
    assert removed == [f"Untagged: {remote}", "Untagged: local/bb:1", f"Deleted: {image_id}"]
    assert cli("image", "ls", "-q").stdout == ""
    assert not any((cli.state / "layers" / "sha256").iterdir())

    pulled = cli("image", "pull", remote)
    assert pulled.stdout == f"{remote}\n"
    assert ": Pull complete" in pulled.stderr
    assert f"Digest: {digest}" in pulled.stderr
    assert f"Status: Downloaded newer image for {remote}" in pulled.stderr
    after = inspect(cli, remote)
    for key in ("Id", "Config", "RootFS", "Architecture", "Os", "Created", "Size"):
        assert after[key] == before[key], key
    assert after["RepoDigests"] == [f"{registry.host}/e2e/bb@{digest}"]
    again = cli("image", "pull", remote)
    assert f"Status: Image is up to date for {remote}" in again.stderr
    assert cli("image", "pull", "-q", remote).stderr == ""

    history = cli("image", "history", remote).stdout.splitlines()
    assert history[0].split() == ["IMAGE", "CREATED", "CREATED", "BY", "SIZE", "COMMENT"]
    assert history[1].startswith(image_id[7:19]) and "pycompose import" in history[1]
    assert cli("image", "history", "--no-trunc", "-q", remote).stdout == f"{image_id}\n"  # the whole ID, as Docker

    archive = tmp_path / "bb.tar"
    cli("image", "save", "-o", str(archive), remote)
    assert archive.stat().st_size > 0
    cli("image", "rm", remote)
    assert cli("image", "ls", "-q").stdout == ""
    assert cli("image", "load", "-i", str(archive)).stdout == f"Loaded image: {remote}\n"
    table = cli("image", "ls").stdout.splitlines()
    assert table[0].split() == ["REPOSITORY", "TAG", "IMAGE", "ID", "CREATED", "SIZE"]
    assert table[1].split()[:3] == [f"{registry.host}/e2e/bb", "1", image_id[7:19]]
    [row] = [json.loads(line) for line in cli("image", "ls", "--format", "json").stdout.splitlines()]
    assert (row["Repository"], row["Tag"], row["ID"]) == (f"{registry.host}/e2e/bb", "1", image_id[7:19])
    assert inspect(cli, remote)["RootFS"] == before["RootFS"]


def test_a_skopeo_copied_image_pulls_and_lists(cli, busybox_image):  # noqa: F811
    pulled = cli("image", "pull", busybox_image.reference)
    assert pulled.stdout == f"{busybox_image.reference}\n"
    assert f"Digest: {busybox_image.manifest_digest}" in pulled.stderr
    repo, tag = busybox_image.reference.rsplit(":", 1)
    rows = [line.split() for line in cli("image", "ls").stdout.splitlines()[1:]]
    assert [r[:2] for r in rows] == [[repo, tag]]
    obj = inspect(cli, busybox_image.reference)
    manifest = busybox_image.manifest()
    assert obj["Id"] == manifest["config"]["digest"]
    assert obj["Config"]["Cmd"] == ["/bin/sh"]
    assert obj["Os"] == "linux" and obj["Architecture"] == "amd64"
    assert cli("image", "inspect", "-f", "{{.Os}}/{{.Architecture}}", busybox_image.reference).stdout == \
        "linux/amd64\n"


def test_errors_are_one_line_naming_the_image(cli, registry):  # noqa: F811
    missing = f"{registry.host}/nowhere/nothing:1"
    quiet = cli("image", "pull", "-q", missing, ok=False)
    assert quiet.returncode != 0 and quiet.stdout == ""
    assert len(quiet.stderr.splitlines()) == 1 and "nowhere/nothing" in quiet.stderr
    loud = cli("image", "pull", missing, ok=False)
    assert loud.returncode != 0 and "nowhere/nothing" in loud.stderr.splitlines()[-1]
    unknown = cli("image", "rm", "no-such-image:1", ok=False)
    assert unknown.returncode == 14 and unknown.stderr == "no such image: no-such-image:1\n"
    bad = cli("image", "pull", "Bad/Name:x!", ok=False)
    assert bad.returncode == 15 and len(bad.stderr.splitlines()) == 1 and "Bad/Name:x!" in bad.stderr
    assert cli("image", "inspect", "nothing-here", ok=False).returncode == 14
    assert not any((cli.state / "images" / "ingest").iterdir())


def test_rm_refuses_an_image_a_container_uses_and_prune_takes_dangling_ones(cli, rootfs_tar):
    image_id = cli("image", "import", str(rootfs_tar), "app:1").stdout.strip()
    record = cli.state / "containers" / ("c" * 64) / "record.json"
    record.parent.mkdir(parents=True)
    record.write_text(json.dumps({"id": "c" * 64, "name": "web-1", "state": "exited",
                                  "config": {"launch": {"image": image_id}}}))
    refused = cli("image", "rm", "app:1", ok=False)
    assert refused.returncode == 16 and "web-1" in refused.stderr and "app:1" in refused.stderr
    assert cli("image", "prune", "-a", "-f").stdout == "Total reclaimed space: 0B\n"
    assert cli("image", "rm", "-f", "app:1").stdout == "Untagged: app:1\n"  # the container keeps it, dangling
    assert cli("image", "ls", "-q").stdout == f"{image_id[7:19]}\n"
    cli("image", "tag", image_id, "app:1")
    shutil.rmtree(record.parent)

    cli("image", "import", "-m", "again", str(rootfs_tar), "app:1")  # app:1 moves on: the first image dangles
    rows = [line.split() for line in cli("image", "ls").stdout.splitlines()[1:]]
    assert ["<none>", "<none>", image_id[7:19]] in [r[:3] for r in rows]
    assert cli("image", "ls", "--filter", "dangling=true", "-q").stdout == f"{image_id[7:19]}\n"
    pruned = cli("image", "prune", "-f").stdout
    assert f"deleted: {image_id}" in pruned and "Total reclaimed space:" in pruned
    assert [line.split()[:2] for line in cli("image", "ls").stdout.splitlines()[1:]] == [["app", "1"]]
    cli("image", "prune", "-a", "-f")
    assert cli("image", "ls", "-q").stdout == ""


def test_login_and_logout_keep_credentials_in_docker_config(cli, tmp_path):
    from tests.integration.engine.conftest_registry import Registry

    require("docker-registry", "htpasswd")
    secured = Registry.start(tmp_path / "secured", htpasswd={"alice": "s3cret"})
    try:
        wrong = cli("login", "-u", "alice", "--password-stdin", secured.host, stdin="nope\n", ok=False)
        assert wrong.returncode != 0 and secured.host in wrong.stderr
        assert not (tmp_path / "docker-config" / "config.json").exists()
        assert cli("login", "-u", "alice", "--password-stdin", secured.host, stdin="s3cret\n").stdout == \
            "Login Succeeded\n"
        auths = json.loads((tmp_path / "docker-config" / "config.json").read_text())["auths"]
        assert list(auths) == [secured.host]
        assert cli("logout", secured.host).stdout == f"Removing login credentials for {secured.host}\n"
        assert cli("logout", secured.host).stdout == f"Not logged in to {secured.host}\n"
    finally:
        secured.stop()


def test_two_processes_pulling_one_image_at_once_share_the_store(cli, busybox_image):  # noqa: F811
    argv = [sys.executable, "-m", "compose.cli.main", "image", "pull", "-q", busybox_image.reference]
    pulls = [subprocess.Popen(argv, cwd=cli.base, env=cli.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(3)]
    outcomes = [(p.wait(timeout=60), p.stdout.read(), p.stderr.read()) for p in pulls]  # type: ignore[union-attr]
    for p in pulls:
        p.stdout.close()  # type: ignore[union-attr]
        p.stderr.close()  # type: ignore[union-attr]
    assert outcomes == [(0, f"{busybox_image.reference}\n", "")] * 3
    manifest = busybox_image.manifest()
    wanted = {d["digest"].split(":")[1] for d in [manifest["config"], *manifest["layers"]]}
    wanted.add(busybox_image.manifest_digest.split(":")[1])
    assert {p.name for p in (cli.state / "images" / "blobs" / "sha256").iterdir()} == wanted
    assert list((cli.state / "images" / "ingest").iterdir()) == []  # nothing half-written is left
    assert inspect(cli, busybox_image.reference)["Id"] == manifest["config"]["digest"]
    assert cli("image", "ls", "-q").stdout.splitlines() == [manifest["config"]["digest"][7:19]]
