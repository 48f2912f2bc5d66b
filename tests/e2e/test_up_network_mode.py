"""`network_mode: service:x`: a container that joins another service's network namespace, end to end.

The probe reaches web's httpd on 127.0.0.1 of the namespace they share; recreating web recreates the
probe (it would be left in a dead namespace otherwise); `down` removes the one namespace once.
"""

from __future__ import annotations

import pytest

from tests.e2e.stack import Stack, open_stack
from tests.waiting import eventually

STACK = """\
services:
  web:
    image: busybox
    command: ["sh", "-c", "mkdir -p /www && echo shared $$COLOR > /www/index.html && exec httpd -f -p 8080 -h /www"]
    stop_signal: SIGKILL
    environment:
      COLOR: {color}
  probe:
    image: busybox
    network_mode: "service:web"
    stop_signal: SIGKILL
    command: ["sh", "-c", "until wget -qO /tmp/page http://127.0.0.1:8080/; do usleep 50000; done; cat /tmp/page;
              exec sleep 300"]
"""


@pytest.fixture(scope="module")
def stack():  # type: ignore[no-untyped-def]
    yield from open_stack("tests/e2e/test_up_network_mode.py")


def probe_output(stack: Stack) -> str:
    return stack.cli("container", "logs", "demo-probe-1").stdout


def namespaces(stack: Stack) -> list[str]:
    directory = stack.run_root / "netns"
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


def test_a_service_joins_another_services_network_namespace(stack):  # type: ignore[no-untyped-def]
    (stack.project / "compose.yaml").write_text(STACK.format(color="blue"))
    stack.ok("up", "-d")
    eventually(lambda: probe_output(stack) == "shared blue\n", what="the probe reading web's page on 127.0.0.1")
    assert len(namespaces(stack)) == 1  # one namespace, shared
    before = stack.ids()

    (stack.project / "compose.yaml").write_text(STACK.format(color="green"))
    stack.ok("up", "-d")
    after = stack.ids()
    assert after["web"] != before["web"] and after["probe"] != before["probe"]  # the joiner follows
    eventually(lambda: probe_output(stack) == "shared green\n", what="the new probe reading the new page")
    assert len(namespaces(stack)) == 1

    stack.ok("down", "-t", "0")
    assert namespaces(stack) == []


NAMED = """\
services:
  app:
    image: busybox
    command: ["sleep", "300"]
    stop_signal: SIGKILL
    networks:
      front:
        interface_name: front0
      back: {}
networks:
  front: {}
  back: {}
"""


def test_interface_name_names_the_containers_interface(stack):  # type: ignore[no-untyped-def]
    (stack.project / "compose.yaml").write_text(NAMED)
    stack.ok("up", "-d")
    links = stack.ok("container", "exec", "demo-app-1", "cat", "/proc/net/dev").stdout
    names = sorted(line.split(":")[0].strip() for line in links.splitlines()[2:])
    assert names == ["eth0", "front0", "lo"] or names == ["eth1", "front0", "lo"], names
    stack.ok("down", "-t", "0")
