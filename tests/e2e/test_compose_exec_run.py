"""`pycompose exec` and `run` as a user types them, on a two-service busybox stack in a throwaway namespace.

exec: output, exit code, -e/-u/-w, --index and Compose's `service "x" is not running`. run: a one-off
container named `demo-api-run-<12 hex>`, labelled oneoff, its dependency brought up first (not with
--no-deps), its output and exit code, --rm leaving nothing, other services found by name, the service's
name not pointing at it, no published port unless asked, and `down` removing a detached one.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.e2e.stack import Stack, open_stack
from tests.waiting import eventually

STACK = """\
services:
  db:
    image: busybox
    command: ["sleep", "300"]
    stop_signal: SIGKILL
  api:
    image: busybox
    command: ["sleep", "300"]
    stop_signal: SIGKILL
    working_dir: /tmp
    environment:
      COLOR: blue
    ports:
      - "127.0.0.1:18081:8080"
    depends_on:
      db:
        condition: service_started
"""


@pytest.fixture
def stack():  # type: ignore[no-untyped-def]
    yield from open_stack("tests/e2e/test_compose_exec_run.py", STACK)


def rows(stack: Stack) -> list[dict]:
    return [json.loads(line) for line in stack.ok("ps", "-a", "--format", "json").stdout.splitlines()]


def names(stack: Stack) -> list[str]:
    return sorted(row["Name"] for row in rows(stack))


def test_exec_in_the_service_container(stack):  # type: ignore[no-untyped-def]
    stack.ok("up", "-d", "db")
    refused = stack.cli("exec", "api", "true")
    assert refused.returncode != 0 and refused.stderr == 'service "api" is not running\n', refused.stderr
    unknown = stack.cli("exec", "nosuch", "true")
    assert unknown.returncode != 0 and "no such service: nosuch" in unknown.stderr, unknown.stderr

    stack.ok("up", "-d")
    api = stack.ids()["api"]
    assert stack.ok("exec", "api", "cat", "/etc/hostname").stdout == api[:12] + "\n"
    assert stack.cli("exec", "api", "sh", "-c", "exit 7").returncode == 7
    done = stack.ok("exec", "-T", "-e", "EXTRA=1", "api", "sh", "-c", "echo $EXTRA $COLOR $(pwd)")
    assert done.stdout == "1 blue /tmp\n"
    assert stack.ok("exec", "-u", "nobody", "-w", "/etc", "api", "sh", "-c", "id -u; pwd").stdout == "65534\n/etc\n"
    assert stack.ok("exec", "--index", "1", "db", "echo", "one").stdout == "one\n"
    missing = stack.cli("exec", "--index", "2", "db", "true")
    assert missing.stderr == 'service "db" is not running container #2\n', missing.stderr
    failed = stack.cli("exec", "api", "no-such-program")
    assert failed.returncode == 127 or failed.returncode == 126, failed


def test_run_attached_with_dependencies(stack):  # type: ignore[no-untyped-def]
    done = stack.ok("run", "--rm", "api", "echo", "hi")
    assert done.stdout == "hi\n", done.stdout + done.stderr
    assert any(re.fullmatch(r" ✔ Container demo-db-1 +Started", line) for line in done.stderr.splitlines()), \
        done.stderr
    assert names(stack) == ["demo-db-1"]  # the dependency runs; no api container, the one-off is gone
    assert rows(stack)[0]["State"] == "running"

    assert stack.cli("run", "--rm", "api", "sh", "-c", "echo out; echo err >&2; exit 3").returncode == 3
    done = stack.ok("run", "--rm", "-e", "EXTRA=2", "-u", "nobody", "-w", "/etc", "api", "sh", "-c",
                    "echo $EXTRA $COLOR $(id -u) $(pwd)")
    assert done.stdout == "2 blue 65534 /etc\n"
    done = stack.ok("run", "--rm", "--entrypoint", "sh -c", "api", "echo entry")
    assert done.stdout == "entry\n"
    stack.ok("run", "--rm", "-v", "./shared:/shared", "api", "sh", "-c", "echo written > /shared/f")
    assert (stack.project / "shared" / "f").read_text() == "written\n"

    # the one-off is on the service's networks: db by name; not published unless asked
    looked = stack.cli("run", "--rm", "api", "nslookup", "db")
    assert looked.returncode == 0 and "Address: 172." in looked.stdout, looked.stdout + looked.stderr
    missing = stack.cli("run", "--rm", "api", "no-such-program")
    assert missing.returncode == 127 and "no-such-program" in missing.stderr, missing
    assert names(stack) == ["demo-db-1"]
    from netplan import netns

    assert len(netns.names(stack.run_root)) == 1  # db's: every one-off's namespace went with it


def test_run_no_deps_detached_then_down(stack):  # type: ignore[no-untyped-def]
    done = stack.ok("run", "--no-deps", "-d", "-l", "purpose=test", "api", "sleep", "300")
    cid = done.stdout.strip()
    assert re.fullmatch(r"[0-9a-f]{64}", cid), done.stdout
    (row,) = rows(stack)
    assert re.fullmatch(r"demo-api-run-[0-9a-f]{12}", row["Name"]) and row["State"] == "running", row
    assert row["Ports"] == ""  # no --service-ports: api's port is not published
    inspect = json.loads(stack.ok("container", "inspect", cid).stdout)[0]
    labels = inspect["Config"]["Labels"]
    assert labels["com.docker.compose.oneoff"] == "True" and labels["com.docker.compose.service"] == "api"
    assert labels["purpose"] == "test" and re.fullmatch(r"[0-9a-f]{64}", labels["com.docker.compose.slug"])
    assert labels["com.docker.compose.slug"][:12] == row["Name"][-12:]

    # `up` leaves the one-off alone (not an orphan, not api's container); exec finds api-1 first
    stack.ok("up", "-d")
    assert stack.ok("exec", "api", "cat", "/etc/hostname").stdout == stack.ids()["api"][:12] + "\n"
    # api's name finds api-1 only, not the one-off
    hosts = stack.ok("container", "exec", "demo-api-1", "cat", "/etc/hosts").stdout.splitlines()
    api_ip = hosts[-1].split("\t")[0]
    looked = stack.ok("exec", "db", "nslookup", "api").stdout
    assert re.findall(r"Address: (172\.[0-9.]+)", looked) == [api_ip], looked
    named = stack.ok("exec", "db", "nslookup", row["Name"]).stdout
    assert "Address: 172." in named and f"Address: {api_ip}" not in named, named

    done = stack.ok("down", "-t", "0")
    assert f" ✔ Container {row['Name']}" in done.stderr, done.stderr
    assert stack.ok("ps", "-a", "-q").stdout == ""
    assert stack.ok("container", "ls", "-a", "-q").stdout == ""


def test_run_detached_with_rm_goes_once_it_exits(stack):  # type: ignore[no-untyped-def]
    done = stack.ok("run", "--no-deps", "-d", "--rm", "api", "sh", "-c", "sleep 1")
    cid = done.stdout.strip()
    assert re.fullmatch(r"[0-9a-f]{64}", cid), done.stdout
    eventually(lambda: stack.ok("container", "ls", "-a", "-q").stdout == "",
               what="the one-off's removal by its supervisor once its program ended")
    stack.ok("down", "-t", "0")


def test_run_named_with_service_ports(stack):  # type: ignore[no-untyped-def]
    done = stack.ok("run", "-d", "--no-deps", "--name", "adhoc", "--service-ports", "api", "sh", "-c",
                    "echo published > /tmp/index.html && exec httpd -f -p 8080 -h /tmp")
    assert done.stdout.strip() == stack.ok("container", "inspect", "adhoc").stdout.split('"Id": "')[1][:64]
    (row,) = rows(stack)
    assert row["Name"] == "adhoc" and row["Ports"] == "127.0.0.1:18081->8080/tcp", row
    assert eventually(lambda: stack.fetch("http://127.0.0.1:18081/"), timeout=10,
                      what="the one-off's published page") == "published\n"
    stack.ok("down", "-t", "0")
    assert stack.ok("container", "ls", "-a", "-q").stdout == ""


def test_run_passes_signals_on(stack):  # type: ignore[no-untyped-def]
    import signal
    import subprocess
    import sys

    argv = ["nsenter", f"--net={stack.netns}", sys.executable, "-m", "compose.cli.main", "-p", "demo", "run",
            "--rm", "--no-deps", "api", "sh", "-c", "trap 'echo caught; exit 5' INT; sleep 300 & wait"]
    attached = subprocess.Popen(argv, cwd=stack.project, env=stack.env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
    try:
        def sleeping() -> bool:
            return any(line.endswith("sleep 300") for line in stack.ok("top").stdout.splitlines())

        eventually(sleeping, timeout=15, what="the one-off's sleep")
        attached.send_signal(signal.SIGINT)
        out, err = attached.communicate(timeout=15)
    finally:
        if attached.poll() is None:
            attached.kill()
            attached.wait()
    assert attached.returncode == 5 and out == "caught\n", (attached.returncode, out, err)
    assert names(stack) == []
