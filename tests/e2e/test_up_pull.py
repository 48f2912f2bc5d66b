"""`up` pulls what is missing: a registry inside the test's namespace, an image skopeo pushed to it.

The registry listens on 127.0.0.1:5000 *of the test namespace* (started with nsenter), so the CLI,
which runs in that namespace, pulls over its loopback; nothing reaches the host's network.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.e2e.stack import Stack, open_stack
from tests.integration.engine.conftest_registry import REGISTRY_BINARY, make_busybox_layout, require
from tests.waiting import eventually

REGISTRY = "127.0.0.1:5000"
IMAGE = f"{REGISTRY}/library/busybox:1"
STACK = f"""\
services:
  app:
    image: {IMAGE}
    command: ["busybox", "sleep", "300"]  # the pushed image has only sh, ls, cat and echo as applets
    stop_signal: SIGKILL
"""


@pytest.fixture(scope="module")
def stack(tmp_path_factory):  # type: ignore[no-untyped-def]
    require(REGISTRY_BINARY, "skopeo", "umoci")
    for made in open_stack("tests/e2e/test_up_pull.py"):
        registry = _start_registry(made, tmp_path_factory.mktemp("registry"))
        try:
            layout = make_busybox_layout(tmp_path_factory.mktemp("busybox"))
            made.inside("skopeo", "copy", "--quiet", "--dest-tls-verify=false", f"oci:{layout}:base",
                        f"docker://{IMAGE}")
            yield made
        finally:
            made.cli("down", "-t", "0")
            registry.terminate()
            registry.wait(timeout=10)


def _start_registry(stack: Stack, root: Path) -> subprocess.Popen[bytes]:
    config = {"version": 0.1, "log": {"level": "error", "accesslog": {"disabled": True}},
              "storage": {"filesystem": {"rootdirectory": str(root / "storage")}},
              "http": {"addr": REGISTRY, "secret": "pycompose-tests"}}
    (root / "config.yml").write_text(json.dumps(config))
    with open(root / "registry.log", "ab") as log:
        process = subprocess.Popen(["nsenter", f"--net={stack.netns}", REGISTRY_BINARY, "serve",
                                    str(root / "config.yml")], stdout=log, stderr=log, stdin=subprocess.DEVNULL)
    eventually(lambda: stack.fetch(f"http://{REGISTRY}/v2/") != "" or process.poll() is not None,
               what="the registry in the test namespace")
    assert process.poll() is None, (root / "registry.log").read_text()
    return process


def test_up_pulls_a_missing_image_once(stack):  # type: ignore[no-untyped-def]
    (stack.project / "compose.yaml").write_text(STACK)
    done = stack.ok("up", "-d")
    assert " ✔ app Pulled" in done.stderr.splitlines(), done.stderr
    first = stack.ids()["app"]
    assert json.loads(stack.ok("ps", "--format", "json").stdout.splitlines()[0])["State"] == "running"
    again = stack.ok("up", "-d")
    assert "Pull" not in again.stderr and stack.ids()["app"] == first  # present now: no pull, no recreate


def test_an_image_no_registry_has_is_named_and_nothing_is_made(stack):  # type: ignore[no-untyped-def]
    stack.ok("down", "-t", "0")
    (stack.project / "compose.yaml").write_text(STACK.replace(IMAGE, f"{REGISTRY}/library/nosuch:1"))
    done = stack.cli("up", "-d")
    assert done.returncode != 0
    [message] = [line for line in done.stderr.splitlines() if "nosuch" in line and "✘" not in line]
    assert f"{REGISTRY}/library/nosuch:1" in message and "Traceback" not in done.stderr
    assert stack.ok("ps", "-a", "-q").stdout == ""
    assert stack.ok("network", "ls", "-q").stdout == ""
