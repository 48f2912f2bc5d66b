"""The engine setting that turns the userland proxy off (Docker's daemon `--userland-proxy=false`)."""

import pytest

from compose.reconcile.proxy import SettingInvalid, enabled
from compose.reconcile.runs import port_requests


def test_on_by_default_as_in_docker(tmp_path):
    assert enabled(tmp_path, {}) is True


@pytest.mark.parametrize(("word", "on"), [("false", False), ("0", False), ("Off", False), ("true", True),
                                          ("1", True), (" yes ", True)])
def test_the_environment_decides_first(tmp_path, word, on):
    (tmp_path / "daemon.json").write_text('{"userland-proxy": %s}' % ("true" if not on else "false"))
    assert enabled(tmp_path, {"PYCOMPOSE_USERLAND_PROXY": word}) is on


def test_daemon_json_under_the_state_root_with_dockers_key(tmp_path):
    (tmp_path / "daemon.json").write_text('{"userland-proxy": false, "debug": true}')
    assert enabled(tmp_path, {}) is False
    assert enabled(tmp_path, {"PYCOMPOSE_USERLAND_PROXY": ""}) is False    # empty: not given


@pytest.mark.parametrize(("text", "message"), [
    ("{", r"^read engine settings `.*daemon.json`: Expecting property name"),
    ('{"userland-proxy": "no"}', r"^read engine settings `.*daemon.json`: 'userland-proxy' is 'no', not true or false"),
    ("[]", r"^read engine settings `.*daemon.json`: 'userland-proxy' is None"),
])
def test_a_bad_settings_file_is_named(tmp_path, text, message):
    (tmp_path / "daemon.json").write_text(text)
    with pytest.raises(SettingInvalid, match=message):
        enabled(tmp_path, {})


def test_a_bad_word_in_the_environment_is_named(tmp_path):
    with pytest.raises(SettingInvalid, match=r"^read PYCOMPOSE_USERLAND_PROXY: 'maybe' is not true or false"):
        enabled(tmp_path, {"PYCOMPOSE_USERLAND_PROXY": "maybe"})


def test_a_host_range_reaches_netplan_whole():
    from compose.model import PortConfig

    class Service:
        ports = (PortConfig(80, "8000-8010"), PortConfig(53, "5353", "127.0.0.1", "udp"), PortConfig(9000))

    assert [(r.container_port, r.protocol, r.host_ip, r.host_port, r.host_port_end)
            for r in port_requests(Service)] == [(80, "tcp", "0.0.0.0", 8000, 8010),
                                                 (53, "udp", "127.0.0.1", 5353, 0), (9000, "tcp", "0.0.0.0", 0, 0)]


@pytest.mark.parametrize(("net", "message"), [
    ({"network": "none", "ipv4_address": "10.1.2.3"}, "^user specified IP address is supported on user defined "
                                                      "networks only$"),
    ({"network": "host", "aliases": ("x",)}, "^network-scoped alias is supported only for containers in user "
                                             "defined networks$"),
    ({"network": "container:db", "publish": ("80",)}, "^conflicting options: port publishing and the container "
                                                      "type network mode$"),
    ({"network": "none", "publish": ("80",)}, "^publish ports of a container on network 'none': it has no network"),
    ({"network": "none", "dns": ("10.0.0.2",)}, "^--dns, --dns-search, --dns-option and --add-host need a user"),
])
def test_what_needs_a_user_network_is_refused_in_dockers_words(net, message):
    from compose.reconcile.plain import NetworkOptionInvalid, PlainNetwork, check

    with pytest.raises(NetworkOptionInvalid, match=message):
        check(PlainNetwork(**net))
    check(PlainNetwork(**{**net, "network": "front"}))   # a user network takes all of them


def test_up_checks_the_ports_of_new_containers_less_those_they_replace():
    from types import SimpleNamespace

    from compose.model import PortConfig
    from compose.plan import actions as A
    from compose.reconcile.runs import check_ports

    calls = []
    world = SimpleNamespace(networks=SimpleNamespace(preflight=lambda wanted, leaving: calls.append(
        ([(r.host_port, r.container_port) for r in wanted], leaving))))
    web = SimpleNamespace(name="web", network_mode=None, ports=(PortConfig(80, "8080"),))
    host = SimpleNamespace(name="hostly", network_mode="host", ports=(PortConfig(9000, "9000"),))
    project = SimpleNamespace(services={"web": web, "hostly": host})
    check_ports(world, project, [
        A.RecreateContainer("web", 1, "old1", "demo-web-1", "demo-web-1", "h", "busybox", "config"),
        A.CreateContainer("hostly", 1, "demo-hostly-1", "h", "busybox"),
        A.RemoveContainer("db", "demo-db-1", "old2"),
    ])
    assert calls == [([(8080, 80)], {"old1", "old2"})]
    calls.clear()
    check_ports(world, project, [A.CreateContainer("hostly", 1, "demo-hostly-1", "h", "busybox")])
    assert calls == []                                      # a host-mode service publishes nothing
