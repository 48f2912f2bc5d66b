"""`pycompose build` and `up` of a service with `build:`: the image is built from its context and runs.

A throwaway network namespace and temporary roots (tests/e2e/stack.py), a busybox base
imported from Debian's busybox-static; the Dockerfile builds on it. The service has no
`image:`, so its image is `demo-web` as Docker Compose names it.
"""

from __future__ import annotations

import json

import pytest

from tests.e2e.stack import open_stack

COMPOSE = """\
services:
  web:
    build:
      context: ./web
      args:
        GREETING: hello
      labels:
        org.example.built-by: pycompose
      tags: ["demo-web:extra"]
    stop_signal: SIGKILL
  inline:
    build:
      context: ./web
      dockerfile_inline: |
        FROM busybox
        RUN echo inline > /inline.txt
        CMD ["cat", "/inline.txt"]
    stop_signal: SIGKILL
"""

DOCKERFILE = """\
FROM busybox
ARG GREETING=hi
COPY message.txt /srv/
RUN echo "$GREETING from the build" > /srv/built.txt
CMD ["sh", "-c", "cat /srv/built.txt /srv/message.txt"]
"""


@pytest.fixture(scope="module")
def stack():  # type: ignore[no-untyped-def]
    for made in open_stack("tests/e2e/test_compose_build.py", COMPOSE):
        (made.project / "web").mkdir()
        (made.project / "web" / "Dockerfile").write_text(DOCKERFILE)
        (made.project / "web" / "message.txt").write_text("message one\n")
        yield made


def _images(stack) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    rows = [json.loads(line) for line in stack.ok("image", "ls", "--format", "json").stdout.splitlines()]
    return {f"{r['Repository']}:{r['Tag']}": r for r in rows}


def _logs(stack, service: str) -> str:  # type: ignore[no-untyped-def]
    return stack.ok("logs", "--no-log-prefix", service).stdout


def test_build_makes_the_services_images_with_their_build_attributes(stack):  # type: ignore[no-untyped-def]
    done = stack.ok("build")
    assert "Step 4/6 : RUN echo \"$GREETING from the build\" > /srv/built.txt" in done.stderr
    assert " ✔ Service web  Built" in done.stderr and " ✔ Service inline  Built" in done.stderr
    images = _images(stack)
    assert {"demo-web:latest", "demo-web:extra", "demo-inline:latest"} <= set(images)
    assert images["demo-web:latest"]["ID"] == images["demo-web:extra"]["ID"]
    inspect = json.loads(stack.ok("image", "inspect", "demo-web").stdout)[0]
    assert inspect["Config"]["Labels"] == {"org.example.built-by": "pycompose"}

    again = stack.ok("build", "web")  # nothing changed: every step from the cache, the same image
    assert again.stderr.count(" ---> Using cache") == 5, again.stderr
    assert _images(stack)["demo-web:latest"]["ID"] == images["demo-web:latest"]["ID"]


def test_up_runs_the_built_command_and_up_build_rebuilds_a_changed_context(stack):  # type: ignore[no-untyped-def]
    stack.ok("up", "-d")
    from tests.waiting import eventually

    eventually(lambda: "message one" in _logs(stack, "web"), what="web's output")
    assert _logs(stack, "web") == "hello from the build\nmessage one\n"
    eventually(lambda: _logs(stack, "inline") == "inline\n", what="inline's output")

    (stack.project / "web" / "message.txt").write_text("message two\n")
    done = stack.ok("up", "-d", "--build", "web")
    assert done.stderr.count(" ---> Using cache") == 1, done.stderr  # the ARG; COPY and after run again
    assert "Recreated" in done.stderr
    eventually(lambda: "message two" in _logs(stack, "web"), what="web's new output")
    stack.ok("down", "-t", "0")


def test_up_builds_a_missing_image_by_default(stack):  # type: ignore[no-untyped-def]
    stack.ok("down", "-t", "0")
    stack.ok("image", "rm", "demo-inline")
    done = stack.ok("up", "-d", "inline")
    assert "Image demo-inline  Built" in done.stderr, done.stderr
    from tests.waiting import eventually

    eventually(lambda: _logs(stack, "inline") == "inline\n", what="inline's output")
    refused = stack.cli("up", "-d", "--no-build", "--build")
    assert refused.returncode != 0 and "--build and --no-build are incompatible" in refused.stderr
    stack.ok("down", "-t", "0")


def test_image_build_and_builder_prune_from_the_cli(stack):  # type: ignore[no-untyped-def]
    context = stack.project / "web"
    done = stack.ok("image", "build", "-q", "-t", "cli:1", "--build-arg", "GREETING=hey", str(context))
    assert done.stdout.startswith("sha256:") and done.stdout.count("\n") == 1
    assert json.loads(stack.ok("image", "inspect", "cli:1").stdout)[0]["Id"] == done.stdout.strip()
    (stack.project / "Bad.Dockerfile").write_text("FROM busybox\nRUNN echo x\n")
    failed = stack.cli("image", "build", "-f", str(stack.project / "Bad.Dockerfile"), str(context))
    assert failed.returncode == 15, failed.stderr
    assert "Bad.Dockerfile:2: unknown instruction: RUNN (did you mean RUN?)" in failed.stderr
    pruned = stack.ok("builder", "prune", "-f")
    assert "Total reclaimed space:" in pruned.stdout
    rebuilt = stack.ok("image", "build", "-t", "cli:1", "--build-arg", "GREETING=hey", str(context))
    assert "Using cache" not in rebuilt.stdout and "Successfully tagged cli:1" in rebuilt.stdout


def test_image_build_takes_named_contexts_hosts_and_shm_size(stack, tmp_path):  # type: ignore[no-untyped-def]
    assets = tmp_path / "assets"
    assets.mkdir()
    (assets / "logo.txt").write_text("logo\n")
    (tmp_path / "Dockerfile").write_text("FROM busybox\nCOPY --from=assets logo.txt /srv/\n"
                                         "RUN grep -w mirror.local /etc/hosts > /hosts && df -k /dev/shm | tail -n 1 "
                                         "> /shm\nCMD [\"cat\", \"/srv/logo.txt\", \"/hosts\", \"/shm\"]\n")
    stack.ok("image", "build", "-q", "-t", "flags:1", "--build-context", f"assets={assets}",
             "--add-host", "mirror.local:10.9.8.7", "--shm-size", "4m", str(tmp_path))
    lines = stack.ok("container", "run", "--rm", "flags:1").stdout.splitlines()
    assert lines[:2] == ["logo", "10.9.8.7\tmirror.local"] and lines[2].split()[1] == "4096"
    refused = stack.cli("image", "build", "--add-host", "nohost", str(tmp_path))
    assert refused.returncode != 0 and 'invalid argument "nohost" for "--add-host" flag' in refused.stderr
