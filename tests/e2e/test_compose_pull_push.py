"""`pycompose pull` and `push` against the test registry on the host's 127.0.0.1 (tests/e2e/conftest.py).

pull and push talk to the registry only, so they run in the host's namespace (where the registry
listens) on the Stack's roots; the pulled image is then run by `up` inside the Stack's namespace.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile

import httpx
import pytest

from tests.e2e.stack import Stack, open_stack

COMPOSE = """\
services:
  web:
    image: {host}/library/busybox:1
    command: ["/bin/busybox", "sleep", "300"]  # the image links only sh, ls, cat and echo
    stop_signal: SIGKILL
  same:
    image: {host}/library/busybox:1
  made:
    build: .
  app:
    build:
      context: .
      tags: ["{host}/mine/app:extra"]
    image: {host}/mine/app:2
  ghost:
    build: .
    image: {host}/mine/ghost:1
  bad:
    image: {host}/library/nosuch:1
"""


@pytest.fixture(scope="module")
def stack(registry):  # type: ignore[no-untyped-def]
    gen = open_stack("tests/e2e/test_compose_pull_push.py", COMPOSE.format(host=registry.host))
    made = next(gen)
    made.env = {**made.env, "DOCKER_CONFIG": tempfile.mkdtemp(dir=made.project)}  # no credentials of the host
    yield made
    next(gen, None)


def on_host(stack: Stack, *args: str) -> subprocess.CompletedProcess[str]:
    """pycompose on the Stack's roots and project, in this (the registry's) network namespace."""
    return subprocess.run([sys.executable, "-m", "compose.cli.main", "-p", "demo", *args], cwd=stack.project,
                          env=stack.env, capture_output=True, text=True, timeout=60, check=False)


def test_pull(stack, registry, busybox_image):  # type: ignore[no-untyped-def]
    done = on_host(stack, "pull", "web", "same", "made")
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [" ✔ same Skipped - Image is already being pulled by web",
                                        " ✔ made Skipped - No image to be pulled", " ✔ web Pulled"]
    assert done.stdout == ""
    listed = on_host(stack, "image", "ls", "--format", "json").stdout
    assert f"{registry.host}/library/busybox" in listed, listed

    again = on_host(stack, "pull", "--policy", "missing", "web")
    assert again.stderr == " ✔ web Skipped - Image is already present locally\n", again.stderr
    quiet = on_host(stack, "pull", "-q", "web")
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == ""

    failed = on_host(stack, "pull", "bad", "web")
    assert failed.returncode != 0
    lines = failed.stderr.splitlines()
    assert " ✘ bad Error" in lines and " ✔ web Pulled" in lines, failed.stderr
    assert lines[-1].startswith("service bad: ") and "nosuch" in lines[-1], failed.stderr
    ignored = on_host(stack, "pull", "--ignore-pull-failures", "bad")
    assert ignored.returncode == 0 and "WARN[0000] service bad: " in ignored.stderr, ignored.stderr
    assert on_host(stack, "pull", "--policy", "sometimes").returncode != 0

    # the pulled image runs
    stack.ok("up", "-d", "web")
    assert stack.ok("exec", "web", "echo", "pulled and running").stdout == "pulled and running\n"
    stack.ok("down", "-t", "0")


def test_push(stack, registry, busybox_image):  # type: ignore[no-untyped-def]
    on_host(stack, "pull", "-q", "web")
    assert on_host(stack, "image", "tag", f"{registry.host}/library/busybox:1", f"{registry.host}/mine/app:2"
                   ).returncode == 0
    assert on_host(stack, "image", "tag", f"{registry.host}/library/busybox:1", f"{registry.host}/mine/app:extra"
                   ).returncode == 0

    done = on_host(stack, "push", "app", "web", "made")
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert " ✔ web Skipped" in lines and " ✔ made Skipped" in lines, done.stderr
    for tag in ("2", "extra"):
        assert any(line.startswith(f" ✔ Pushing {registry.host}/mine/app:{tag}: ") for line in lines), done.stderr
        got = httpx.get(f"http://{registry.host}/v2/mine/app/manifests/{tag}",
                        headers={"Accept": "application/vnd.oci.image.manifest.v1+json, "
                                           "application/vnd.docker.distribution.manifest.v2+json"})
        assert got.status_code == 200, got.text

    failed = on_host(stack, "push", "ghost")  # buildable, but never built: nothing to push
    assert failed.returncode != 0 and "ghost" in failed.stderr and "no such image" in failed.stderr, failed.stderr
    ignored = on_host(stack, "push", "--ignore-push-failures", "ghost")
    assert ignored.returncode == 0 and ignored.stderr.startswith("Pushing ghost ("), ignored.stderr
    assert on_host(stack, "push", "-q", "app").stderr == ""
