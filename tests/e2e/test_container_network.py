"""`pycompose container run --network NAME` end to end: a plain container on a user network, with a static
address, an alias, a published port, --add-host host-gateway and --dns-search; another container finds it by
name and alias and fetches its page; `container rm` takes it off the network and removes its namespace.

The harness is test_up's (a throwaway network namespace, temporary roots, busybox; no compose file).
"""

from __future__ import annotations

import json

import pytest

from tests.e2e.stack import open_stack
from tests.waiting import eventually

PORT = 18095
SERVE = "mkdir -p /www && echo hello from plain > /www/index.html && exec httpd -f -p 8080 -h /www"


@pytest.fixture
def stack():  # type: ignore[no-untyped-def]
    yield from open_stack("tests/e2e/test_container_network.py")


def test_a_plain_container_on_a_user_network(stack):  # type: ignore[no-untyped-def]
    stack.ok("network", "create", "--subnet", "10.79.0.0/24", "plain")
    stack.ok("container", "run", "-d", "--name", "web", "--network", "plain", "--ip", "10.79.0.10",
             "--network-alias", "www", "-p", f"127.0.0.1:{PORT}:8080", "--add-host", "gw:host-gateway",
             "--dns-search", "example.test", "busybox", "sh", "-c", SERVE)
    eventually(lambda: stack.fetch(f"http://127.0.0.1:{PORT}/").strip() == "hello from plain", timeout=30,
               what="the published port to answer")

    other = stack.ok("container", "run", "--rm", "--network", "plain", "busybox", "sh", "-c",
                     "nslookup www && wget -qO- http://web:8080/").stdout
    assert "10.79.0.10" in other and "hello from plain" in other
    hosts = stack.ok("container", "exec", "web", "cat", "/etc/hosts").stdout
    assert "10.79.0.1\tgw" in hosts.splitlines() and "10.79.0.10\t" in hosts
    resolv = stack.ok("container", "exec", "web", "cat", "/etc/resolv.conf").stdout
    assert "nameserver 127.0.0.11" in resolv and "search example.test" in resolv

    (inspected,) = json.loads(stack.ok("container", "inspect", "web").stdout)
    settings = inspected["NetworkSettings"]
    plain = settings["Networks"]["plain"]
    assert (plain["IPAddress"], plain["IPPrefixLen"], plain["Gateway"]) == ("10.79.0.10", 24, "10.79.0.1")
    assert "www" in plain["Aliases"]
    assert settings["Ports"] == {"8080/tcp": [{"HostIp": "127.0.0.1", "HostPort": str(PORT)}]}
    template = "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}} {{.State.Status}}"
    assert stack.ok("container", "inspect", "-f", template, "web").stdout == "10.79.0.10 running\n"
    listed = stack.ok("container", "ls", "--format", "{{.Names}} {{.Networks}} {{.Ports}}").stdout
    assert listed == f"web plain 127.0.0.1:{PORT}->8080/tcp\n"

    refused = stack.cli("network", "rm", "plain")
    assert refused.returncode != 0 and "`web`" in refused.stderr

    stack.ok("container", "rm", "-f", "web")
    (net,) = json.loads(stack.ok("network", "inspect", "plain").stdout)
    assert net["Containers"] == {}
    assert list((stack.run_root / "netns").iterdir()) == []            # the run --rm one went too
    assert stack.fetch(f"http://127.0.0.1:{PORT}/") == ""
    stack.ok("network", "rm", "plain")


def test_network_options_need_a_user_network_and_a_network_that_exists(stack):  # type: ignore[no-untyped-def]
    unknown = stack.cli("container", "run", "--network", "nope", "busybox", "true")
    assert unknown.returncode != 0 and unknown.stderr.strip() == "network nope not found"
    ip = stack.cli("container", "run", "--network", "none", "--ip", "10.1.2.3", "busybox", "true")
    assert ip.stderr.strip() == "user specified IP address is supported on user defined networks only"
    alias = stack.cli("container", "create", "--network-alias", "x", "busybox", "true")
    assert alias.stderr.strip() == "network-scoped alias is supported only for containers in user defined networks"
    assert stack.ok("container", "ls", "-a", "-q").stdout == ""        # nothing was created


def test_network_ls_and_inspect_take_templates(stack):  # type: ignore[no-untyped-def]
    stack.ok("network", "create", "--subnet", "10.79.1.0/24", "--internal", "formatted")
    try:
        listed = stack.ok("network", "ls", "--format", "{{.Name}} {{.Driver}} {{.Internal}}").stdout
        assert "formatted bridge true\n" in listed
        table = stack.ok("network", "ls", "--format", "table {{.Name}}\t{{.Scope}}").stdout.splitlines()
        assert table[0].split() == ["NAME", "SCOPE"] and ["formatted", "local"] in [row.split() for row in table]
        subnet = stack.ok("network", "inspect", "-f", "{{(index .IPAM.Config 0).Subnet}}", "formatted").stdout
        assert subnet == "10.79.1.0/24\n"
    finally:
        stack.ok("network", "rm", "formatted")
