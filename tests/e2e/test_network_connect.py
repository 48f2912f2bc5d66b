"""`network connect` / `network disconnect` end to end: a running compose container joins a second network,
reaches a container there by name (DNS through its own listener, real HTTP traffic between namespaces),
then leaves it and no longer does.

The harness is test_up's (a throwaway network namespace, temporary roots, busybox); the DNS server
forwards nothing, so every name asked here is the stack's own.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.e2e.stack import Stack, open_stack
from tests.waiting import eventually

CONNECT_STACK = """\
services:
  db:
    image: busybox
    command: ["sh", "-c", "mkdir -p /www && echo hello from db > /www/index.html && exec httpd -f -p 8080 -h /www"]
    stop_signal: SIGKILL
    networks: [back]
  client:
    image: busybox
    command: ["sleep", "300"]
    stop_signal: SIGKILL
    networks: [front]
  loner:
    image: busybox
    command: ["sleep", "300"]
    stop_signal: SIGKILL
    network_mode: none
networks:
  front:
  back:
"""


@pytest.fixture
def stack():  # type: ignore[no-untyped-def]
    yield from open_stack("tests/e2e/test_network_connect.py", CONNECT_STACK)


def run_in(stack: Stack, service: str, *argv: str) -> subprocess.CompletedProcess[str]:
    return stack.cli("container", "exec", f"demo-{service}-1", *argv)


def address_of(stack: Stack, service: str) -> str:
    return run_in(stack, service, "cat", "/etc/hosts").stdout.splitlines()[-1].split("\t")[0]


def resolves(stack: Stack, service: str, name: str) -> str:
    """The address `name` resolves to inside `service`'s container, "" when it does not."""
    looked = run_in(stack, service, "nslookup", name)
    found = [line.split()[-1] for line in looked.stdout.splitlines()[2:] if line.startswith("Address")]
    return found[0] if looked.returncode == 0 and found else ""


def page(stack: Stack, service: str, url: str) -> str:
    return run_in(stack, service, "timeout", "3", "wget", "-qO-", url).stdout  # busybox's wget -T crashes


def containers_on(stack: Stack, network: str) -> list[str]:
    return sorted(c["Name"] for c in json.loads(stack.ok("network", "inspect", network).stdout)[0]["Containers"]
                  .values())


def test_connect_reaches_by_name_and_disconnect_cuts_it_off(stack):  # type: ignore[no-untyped-def]
    stack.ok("up", "-d")
    db_ip = address_of(stack, "db")
    assert resolves(stack, "client", "db") == ""
    assert page(stack, "client", f"http://{db_ip}:8080/") == ""

    joined = stack.ok("network", "connect", "--alias", "dbclient", "demo_back", "demo-client-1")
    assert joined.stdout == ""
    assert containers_on(stack, "demo_back") == ["demo-client-1", "demo-db-1"]
    assert eventually(lambda: resolves(stack, "client", "db"), timeout=10, what="db by name") == db_ip
    assert eventually(lambda: page(stack, "client", "http://db:8080/"), timeout=10,
                      what="db's page by name") == "hello from db\n"
    assert page(stack, "client", "http://demo-db-1:8080/") == "hello from db\n"
    hosts = run_in(stack, "client", "cat", "/etc/hosts").stdout.splitlines()
    client_back = hosts[-1].split("\t")[0]
    assert client_back != hosts[-2].split("\t")[0] and hosts[-1].split("\t")[1] == hosts[-2].split("\t")[1], hosts
    for name in ("client", "dbclient", "demo-client-1"):  # the service name, the alias, the container name
        assert resolves(stack, "db", name) == client_back, name
    assert run_in(stack, "client", "ping", "-c", "1", "-W", "2", "db").returncode == 0

    again = stack.cli("network", "connect", "demo_back", "demo-client-1")
    assert again.returncode != 0
    assert "endpoint with name demo-client-1 already exists in network demo_back" in again.stderr

    stack.ok("network", "disconnect", "demo_back", "demo-client-1")
    assert containers_on(stack, "demo_back") == ["demo-db-1"]
    assert resolves(stack, "client", "db") == ""
    assert resolves(stack, "db", "dbclient") == ""
    assert page(stack, "client", f"http://{db_ip}:8080/") == ""
    assert client_back not in run_in(stack, "client", "cat", "/etc/hosts").stdout
    client_id = stack.ids()["client"]
    twice = stack.cli("network", "disconnect", "demo_back", "demo-client-1")
    assert twice.returncode != 0 and twice.stderr.startswith(f"container {client_id}"), twice.stderr  # the full id
    assert "is not connected to network demo_back" in twice.stderr

    # Docker lets the last network go: the container keeps only `lo`, and `down` still cleans up.
    stack.ok("network", "disconnect", "demo_front", "demo-client-1")
    links = run_in(stack, "client", "ip", "-o", "link").stdout
    assert [line.split(":")[1].strip() for line in links.splitlines()] == ["lo"], links
    stack.ok("down", "-t", "0")
    assert stack.ok("network", "ls", "-q").stdout == ""


def test_refusals_say_what_docker_says(stack):  # type: ignore[no-untyped-def]
    stack.ok("up", "-d")
    cases = [
        (("connect", "demo_back", "demo-loner-1"),
         "container cannot be connected to multiple networks with one of the networks in private (none) mode"),
        (("connect", "nosuch", "demo-client-1"), "network nosuch not found"),
        (("connect", "demo_back", "nosuch"), "No such container: nosuch"),
        (("connect", "host", "demo-client-1"),
         "container cannot be disconnected from host network or connected to host network"),
        (("disconnect", "host", "demo-client-1"),
         "container cannot be disconnected from host network or connected to host network"),
        (("disconnect", "demo_back", "nosuch"), "No such container: nosuch"),
    ]
    for args, said in cases:
        done = stack.cli("network", *args)
        assert done.returncode != 0 and said in done.stderr, (args, done.stderr)
    assert stack.cli("network", "disconnect", "-f", "demo_back", "nosuch").returncode != 0

    subnet = json.loads(stack.ok("network", "inspect", "demo_front").stdout)[0]["IPAM"]["Config"][0]["Subnet"]
    wanted = subnet.rsplit(".", 1)[0] + ".200"
    stack.ok("network", "connect", "--ip", wanted, "demo_front", "demo-db-1")
    assert resolves(stack, "client", "db") == wanted
