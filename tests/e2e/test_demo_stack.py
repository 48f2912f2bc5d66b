"""The README's demo stack (examples/stacks/demo) comes up from a fresh store: `api` is built from its
Containerfile on the busybox base, and the web front end reaches it over the internal network.

A throwaway namespace and temporary roots (tests/e2e/stack.py); the stack's files are copied
into the project directory, `busybox:stable` is imported as scripts/busybox-image.sh makes it.
"""

from __future__ import annotations

import json
import shutil

import pytest

from engine.images.testing import import_busybox
from tests.e2e.stack import PORT, REPO, open_stack
from tests.waiting import eventually

DEMO = REPO / "examples" / "stacks" / "demo"


@pytest.fixture(scope="module")
def stack():  # type: ignore[no-untyped-def]
    for made in open_stack("tests/e2e/test_demo_stack.py"):
        shutil.copytree(DEMO, made.project, dirs_exist_ok=True)
        import_busybox(made.state, "busybox:stable")
        made.env["WEB_PORT"] = str(PORT)
        yield made
        made.cli("down", "-v", "-t", "0")


def test_up_builds_the_api_from_source_and_the_front_end_reaches_it(stack):  # type: ignore[no-untyped-def]
    done = stack.ok("up", "-d", "--wait")
    assert "Image demo-api  Built" in done.stderr, done.stderr
    assert "Step 1/10 : ARG BASE=busybox:stable" in done.stderr and "Step 2/10 : FROM ${BASE}" in done.stderr
    eventually(lambda: "pycompose demo" in stack.fetch(), what="the demo's front page")
    status = json.loads(stack.fetch(f"http://127.0.0.1:{PORT}/cgi-bin/api"))
    assert status == {"service": "api", "user": "api", "store": "store:7000", "log_level": "info"}

    [image] = json.loads(stack.ok("image", "inspect", "demo-api").stdout)
    assert image["Config"]["User"] == "api" and image["Config"]["Labels"] == {"org.example.demo.part": "api"}
    assert image["Config"]["Cmd"] == ["httpd", "-f", "-v", "-p", "9000", "-h", "/srv/api"]

    again = stack.ok("up", "-d", "--wait")  # the image is there: nothing is built, nothing recreated
    assert "Built" not in again.stderr and "Recreate" not in again.stderr
