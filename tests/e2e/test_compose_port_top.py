"""`pycompose port` and `top` on tests/e2e/stack.py's three-service stack (web publishes 127.0.0.1:18080->8080).

port prints the published address, refuses an unpublished port or a stopped service with Compose's words;
top lists each running container's processes under SERVICE # UID PID PPID C STIME TTY TIME CMD.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.stack import PORT, open_stack
from tests.waiting import eventually


@pytest.fixture(scope="module")
def stack():  # type: ignore[no-untyped-def]
    made = next(gen := open_stack("tests/e2e/test_compose_port_top.py"))
    made.write()
    yield made
    next(gen, None)


def test_port(stack):  # type: ignore[no-untyped-def]
    stopped = stack.cli("port", "web", "8080")
    assert stopped.returncode != 0 and stopped.stderr == 'service "web" is not running\n', stopped.stderr
    stack.ok("up", "-d")
    assert stack.ok("port", "web", "8080").stdout == f"127.0.0.1:{PORT}\n"
    assert stack.ok("port", "--index", "1", "web", "8080").stdout == f"127.0.0.1:{PORT}\n"
    udp = stack.cli("port", "--protocol", "udp", "web", "8080")
    assert udp.returncode != 0 and udp.stderr == f"no port 8080/udp for container demo-web-1: {PORT}/tcp\n"
    none = stack.cli("port", "api", "80")
    assert none.stderr == "no port 80/tcp for container demo-api-1: \n", none.stderr
    assert stack.cli("port", "web", "http").returncode == 2  # not a number: click's usage error


def test_top(stack):  # type: ignore[no-untyped-def]
    stack.ok("up", "-d")
    lines = stack.ok("top").stdout.splitlines()
    assert lines[0].split() == ["SERVICE", "#", "UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"]
    cmd_at = lines[0].index("CMD")
    rows = {line[cmd_at:]: line[:cmd_at].split() for line in lines[1:]}
    assert set(rows) == {"sleep 300", "httpd -f -p 8080 -h /www"}, lines  # db and api: sleep; no runtime listed
    service, number, uid, pid, ppid, cpu, stime, tty, cputime = rows["httpd -f -p 8080 -h /www"]
    assert (service, number, uid, tty) == ("web", "1", "root", "?")
    assert int(pid) > 1 and int(ppid) > 0 and int(cpu) >= 0
    assert re.fullmatch(r"\d\d:\d\d", stime) and re.fullmatch(r"\d\d:\d\d:\d\d", cputime)
    assert [line.split()[0] for line in lines[1:]] == ["api", "db", "web"]  # sorted by container name

    only = stack.ok("top", "db").stdout.splitlines()
    assert len(only) == 2 and only[1].split()[:2] == ["db", "1"] and only[1].endswith("sleep 300")
    # an exec'd process shows up while it runs, under the container's pid namespace
    stack.ok("exec", "-d", "db", "sleep", "7")

    def exec_listed() -> list[str]:
        return [line for line in stack.ok("top", "db").stdout.splitlines() if line.endswith("sleep 7")]

    assert len(eventually(exec_listed, timeout=5, what="the exec'd sleep in top")) == 1
    stack.ok("down", "-t", "0")
    assert stack.ok("top").stdout == ""


def test_images_lists_each_containers_image_as_compose_does(stack):  # type: ignore[no-untyped-def]
    import json

    stack.ok("up", "-d")
    try:
        lines = stack.ok("images").stdout.splitlines()
        assert lines[0].split() == ["CONTAINER", "REPOSITORY", "TAG", "PLATFORM", "IMAGE", "ID", "SIZE", "CREATED"]
        assert lines[0].index("REPOSITORY") == 20  # Compose's cells: at least 20 wide
        rows = [line.split() for line in lines[1:]]
        assert [r[:4] for r in rows] == [[f"demo-{s}-1", "busybox", "latest", "linux/amd64"]
                                         for s in ("api", "db", "web")]
        [web] = json.loads(stack.ok("images", "web", "--format", "json").stdout)
        assert set(web) == {"ID", "ContainerName", "Repository", "Tag", "Platform", "Size", "LastTagTime"}
        assert web["ContainerName"] == "demo-web-1" and web["ID"].startswith("sha256:") and web["Size"] > 0
        assert stack.ok("images", "-q").stdout == web["ID"].removeprefix("sha256:") + "\n"  # once each
    finally:
        stack.ok("down", "-t", "0")


def test_ps_json_is_compose_json(stack):  # type: ignore[no-untyped-def]
    import json

    stack.ok("up", "-d")
    try:
        line = next(line for line in stack.ok("ps", "--format", "json").stdout.splitlines() if '"demo-web-1"' in line)
        row = json.loads(line)
        assert list(row) == sorted(row)  # a Go map: keys in order
        assert row["Networks"] == "demo_default"
        assert "-\\u003e8080/tcp" in line and ", " not in line.split('"Labels"')[0]  # Go's escapes, compact
        assert row["Publishers"][0] == {"URL": "127.0.0.1", "TargetPort": 8080, "PublishedPort": PORT,
                                        "Protocol": "tcp"}
    finally:
        stack.ok("down", "-t", "0")
