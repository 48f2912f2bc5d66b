"""The typed model, built from canonical dicts that `docker compose config --format json` (v2.40.3) printed."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from compose.errors import ServiceNotFound
from compose.model import (
    Build,
    Dependency,
    FrozenMap,
    Mount,
    PortConfig,
    Project,
    Secret,
    Service,
    ServiceNetwork,
    Ulimit,
    freeze,
)
from compose.model.values import seconds, size

# `config --format json` of a compose file using most service attributes (the JSON form prints
# `"command": null` and `"ipam": {}` where the YAML form leaves them out; the model takes both).
FULL: dict[str, Any] = {'configs': {'cfg': {'name': 'demo_cfg', 'content': 'hello'}},
 'name': 'demo',
 'networks': {'back': {'name': 'back', 'ipam': {}, 'external': True},
              'default': {'name': 'demo_default', 'ipam': {}},
              'front': {'name': 'demo_front', 'ipam': {'config': [{'subnet': '172.20.0.0/16'}]}}},
 'secrets': {'token': {'name': 'demo_token', 'file': '/tmp/cc1/token.txt'}},
 'services': {'cache': {'command': None,
                        'depends_on': {'db': {'condition': 'service_started',
                                              'restart': True,
                                              'required': True}},
                        'entrypoint': None,
                        'image': 'redis',
                        'network_mode': 'service:db'},
              'db': {'command': None,
                     'depends_on': {'helper': {'condition': 'service_started', 'required': True}},
                     'entrypoint': None,
                     'healthcheck': {'test': ['CMD-SHELL', 'pg_isready']},
                     'image': 'postgres',
                     'networks': {'default': None},
                     'scale': 2,
                     'volumes_from': ['helper:ro', 'container:abc']},
              'helper': {'command': None,
                         'entrypoint': None,
                         'image': 'busybox',
                         'networks': {'default': None}},
              'web': {'build': {'context': '/tmp/cc1/web',
                                'dockerfile': 'Dockerfile.dev',
                                'args': {'A': '1'},
                                'target': 'dev'},
                      'cap_add': ['NET_ADMIN'],
                      'cap_drop': ['ALL'],
                      'cpus': 0.5,
                      'command': ['nginx', '-g', 'daemon off;'],
                      'configs': [{'source': 'cfg'}],
                      'depends_on': {'cache': {'condition': 'service_started', 'required': True},
                                     'db': {'condition': 'service_healthy', 'restart': True, 'required': True}},
                      'deploy': {'resources': {'limits': {'cpus': 0.5, 'memory': '536870912', 'pids': 100},
                                               'reservations': {'memory': '134217728',
                                                                'devices': [{'capabilities': ['gpu'],
                                                                             'count': 1}]}},
                                 'restart_policy': {'condition': 'on-failure', 'max_attempts': 3},
                                 'placement': {}},
                      'devices': [{'source': '/dev/fuse', 'target': '/dev/fuse', 'permissions': 'rwm'}],
                      'dns': ['8.8.8.8'],
                      'dns_opt': ['use-vc'],
                      'dns_search': ['example.com'],
                      'domainname': 'example.com',
                      'entrypoint': ['/docker-entrypoint.sh'],
                      'environment': {'EMPTY': None, 'FOO': 'bar'},
                      'expose': ['3000', '4000-4001'],
                      'extra_hosts': ['somehost=162.242.195.82'],
                      'group_add': ['mail'],
                      'hostname': 'web',
                      'healthcheck': {'test': ['CMD', 'curl', '-f', 'http://localhost'],
                                      'timeout': '1m30s',
                                      'interval': '30s',
                                      'retries': 3,
                                      'start_period': '40s',
                                      'start_interval': '5s'},
                      'image': 'nginx:1.25',
                      'init': True,
                      'ipc': 'shareable',
                      'labels': {'com.example.a': '1'},
                      'links': ['cache:redis'],
                      'logging': {'driver': 'json-file', 'options': {'max-size': '10m'}},
                      'mem_limit': '536870912',
                      'networks': {'back': None, 'front': {'aliases': ['www'], 'ipv4_address': '172.20.0.5'}},
                      'oom_score_adj': 100,
                      'platform': 'linux/amd64',
                      'ports': [{'mode': 'ingress', 'target': 80, 'published': '8080', 'protocol': 'tcp'},
                                {'mode': 'ingress',
                                 'host_ip': '127.0.0.1',
                                 'target': 443,
                                 'published': '8443',
                                 'protocol': 'tcp'},
                                {'mode': 'ingress', 'target': 9000, 'published': '9000', 'protocol': 'udp'},
                                {'mode': 'ingress', 'target': 9001, 'published': '9001', 'protocol': 'udp'},
                                {'mode': 'ingress', 'target': 53, 'published': '5353', 'protocol': 'udp'}],
                      'pull_policy': 'always',
                      'read_only': True,
                      'restart': 'unless-stopped',
                      'secrets': [{'source': 'token', 'target': '/run/secrets/token'},
                                  {'source': 'token',
                                   'target': '/run/secrets/tok2',
                                   'uid': '103',
                                   'gid': '103',
                                   'mode': '0440'}],
                      'security_opt': ['no-new-privileges:true'],
                      'shm_size': '67108864',
                      'stdin_open': True,
                      'stop_grace_period': '1m0s',
                      'stop_signal': 'SIGTERM',
                      'sysctls': {'net.core.somaxconn': '1024'},
                      'tmpfs': ['/run'],
                      'tty': True,
                      'ulimits': {'nofile': {'soft': 20000, 'hard': 40000}, 'nproc': 65535},
                      'user': '1000:1000',
                      'volumes': [{'type': 'bind',
                                   'source': '/tmp/cc1/html',
                                   'target': '/usr/share/nginx/html',
                                   'read_only': True,
                                   'bind': {'create_host_path': True}},
                                  {'type': 'volume', 'source': 'data', 'target': '/data', 'volume': {}},
                                  {'type': 'tmpfs', 'target': '/cache', 'tmpfs': {'size': '67108864'}}],
                      'working_dir': '/app'}},
 'volumes': {'data': {'name': 'demo_data', 'driver': 'local'}}}


BUILD_AND_TOP_LEVEL: dict[str, Any] = {'name': 'cc2',
 'networks': {'n1': {'name': 'cc2_n1',
                     'driver': 'bridge',
                     'driver_opts': {'com.docker.network.bridge.name': 'br0'},
                     'ipam': {'driver': 'default',
                              'config': [{'subnet': '10.5.0.0/16',
                                          'gateway': '10.5.0.1',
                                          'ip_range': '10.5.5.0/24',
                                          'aux_addresses': {'host1': '10.5.0.3'}}]},
                     'internal': True,
                     'attachable': True,
                     'labels': {'a': 'b'},
                     'enable_ipv4': True,
                     'enable_ipv6': True}},
 'services': {'app': {'annotations': {'x': 'y'},
                      'attach': False,
                      'build': {'context': '/tmp/cc2/app',
                                'dockerfile_inline': 'FROM alpine',
                                'args': {'X': '1'},
                                'ssh': ['default'],
                                'labels': {'a': 'b'},
                                'cache_from': ['type=local', 'src=/tmp'],
                                'no_cache': True,
                                'additional_contexts': {'base': '/tmp/cc2/app'},
                                'pull': True,
                                'extra_hosts': ['h=1.2.3.4'],
                                'network': 'host',
                                'shm_size': '134217728',
                                'tags': ['app:dev'],
                                'platforms': ['linux/amd64']},
                      'blkio_config': {'weight': 300},
                      'cgroup_parent': 'foo',
                      'cgroup': 'private',
                      'cpu_period': 100000,
                      'cpu_quota': 50000,
                      'cpuset': '0-1',
                      'cpu_shares': 512,
                      'command': None,
                      'device_cgroup_rules': ['c 1:3 mr'],
                      'entrypoint': None,
                      'gpus': [{'count': -1}],
                      'healthcheck': {'disable': True},
                      'image': 'app:latest',
                      'isolation': 'default',
                      'logging': {'driver': 'none'},
                      'memswap_limit': '2147483648',
                      'mem_swappiness': '10',
                      'mac_address': '02:42:ac:11:00:03',
                      'networks': {'n1': {'aliases': ['a1'],
                                          'driver_opts': {'x': 'y'},
                                          'gw_priority': 1,
                                          'ipv6_address': 'fd00::5',
                                          'link_local_ips': ['169.254.1.1'],
                                          'mac_address': '02:42:ac:11:00:02',
                                          'priority': 100}},
                      'oom_kill_disable': True,
                      'pids_limit': 10,
                      'ports': [{'name': 'web',
                                 'mode': 'host',
                                 'host_ip': '::1',
                                 'target': 8080,
                                 'published': '8000-8010',
                                 'protocol': 'tcp',
                                 'app_protocol': 'http'}],
                      'runtime': 'runc',
                      'stop_grace_period': '500ms',
                      'storage_opt': {'size': '1G'},
                      'ulimits': {'nofile': 1024},
                      'userns_mode': 'host',
                      'uts': 'host',
                      'volumes': [{'type': 'bind',
                                   'source': '/tmp/cc2/app',
                                   'target': '/app',
                                   'consistency': 'cached',
                                   'bind': {'selinux': 'z', 'propagation': 'rshared'}},
                                  {'type': 'volume',
                                   'source': 'cache',
                                   'target': '/cache',
                                   'volume': {'nocopy': True, 'subpath': 'sub'}},
                                  {'type': 'tmpfs', 'target': '/t', 'tmpfs': {'size': '1000', 'mode': 1023}},
                                  {'type': 'volume', 'target': '/anon', 'volume': {}}],
                      'post_start': [{'command': ['echo', 'hi'], 'user': 'root'}]},
              'hc': {'command': None,
                     'entrypoint': None,
                     'healthcheck': {'test': ['NONE'], 'interval': '1h2m3.5s', 'retries': 0},
                     'image': 'a',
                     'network_mode': 'none'},
              'hc2': {'command': None,
                      'deploy': {'mode': 'replicated',
                                 'labels': {'a': 'b'},
                                 'update_config': {'parallelism': 2, 'delay': '10s'},
                                 'resources': {
                                     'limits': {'cpus': 2},
                                     'reservations': {
                                         'cpus': 0.25,
                                         'generic_resources': [
                                             {'discrete_resource_spec': {'kind': 'gpu', 'value': 2}}]}},
                                 'restart_policy': {'condition': 'any', 'delay': '5s', 'window': '2m0s'},
                                 'placement': {'constraints': ['node.role==manager']}},
                      'entrypoint': None,
                      'healthcheck': {'test': ['CMD-SHELL', 'curl x'], 'timeout': '10µs'},
                      'image': 'a',
                      'network_mode': 'host'}},
 'volumes': {'cache': {'name': 'cc2_cache',
                       'driver_opts': {'device': 'tmpfs', 'type': 'tmpfs'},
                       'labels': {'l': 'v'}}}}


EXTERNALS: dict[str, Any] = {'configs': {'c_ext': {'name': 'cfg-real', 'external': True},
             'c_file': {'name': 'cc2_c_file', 'file': '/tmp/cc2/a.env'}},
 'name': 'cc2',
 'networks': {'default': {'name': 'cc2_default', 'ipam': {}},
              'ext': {'name': 'real-ext', 'ipam': {}, 'external': True}},
 'secrets': {'s_env': {'name': 'cc2_s_env', 'environment': 'HOME'},
             's_ext': {'name': 's_ext', 'external': True}},
 'services': {'app': {'command': None,
                      'configs': [{'source': 'c_file', 'target': '/etc/c', 'uid': '1', 'mode': '0444'},
                                  {'source': 'c_ext'}],
                      'depends_on': {'db': {'condition': 'service_completed_successfully', 'required': True}},
                      'entrypoint': None,
                      'environment': {'A': '1'},
                      'image': 'a',
                      'networks': {'default': None, 'ext': None},
                      'restart': 'no',
                      'secrets': [{'source': 's_env', 'target': '/run/secrets/s_env'},
                                  {'source': 's_ext', 'target': '/run/secrets/s_ext'}],
                      'volumes': [{'type': 'volume', 'source': 'extv', 'target': '/x', 'volume': {}}]},
              'db': {'profiles': ['x'],
                     'command': None,
                     'entrypoint': None,
                     'image': 'b',
                     'networks': {'default': None}}},
 'volumes': {'extv': {'name': 'extv', 'external': True}}}


def load(data: dict[str, Any]) -> Project:
    return Project.from_canonical(data, working_dir=Path("/tmp/cc1"))


def test_project_and_top_level_objects() -> None:
    p = load(FULL)
    assert p.name == "demo" and p.working_dir == Path("/tmp/cc1")
    assert list(p.services) == ["cache", "db", "helper", "web"]
    assert p.networks["front"].name == "demo_front"
    assert p.networks["front"].ipam.config[0].subnet == "172.20.0.0/16"
    assert p.networks["back"].external and p.networks["back"].name == "back"
    assert p.volumes["data"].driver == "local" and p.volumes["data"].name == "demo_data"
    assert isinstance(p.secrets["token"], Secret) and p.secrets["token"].file == "/tmp/cc1/token.txt"
    assert p.configs["cfg"].content == "hello"


def test_web_service_process_attributes() -> None:
    web = load(FULL).service("web")
    assert web.image == "nginx:1.25"
    assert web.command == ("nginx", "-g", "daemon off;")
    assert web.entrypoint == ("/docker-entrypoint.sh",)
    assert web.environment == {"EMPTY": None, "FOO": "bar"}
    assert web.user == "1000:1000" and web.working_dir == "/app"
    assert web.stop_grace_period == 60.0 and web.stop_signal == "SIGTERM"
    assert web.init is True and web.tty and web.stdin_open and web.read_only and not web.privileged
    assert web.restart == "unless-stopped"
    hc = web.healthcheck
    assert hc is not None and hc.test == ("CMD", "curl", "-f", "http://localhost")
    assert (hc.interval, hc.timeout, hc.start_period, hc.start_interval, hc.retries) == (30.0, 90.0, 40.0, 5.0, 3)
    assert not hc.disabled


def test_web_service_network_and_storage() -> None:
    web = load(FULL).service("web")
    assert web.ports[0] == PortConfig(target=80, published="8080")
    assert web.ports[1].host_ip == "127.0.0.1" and web.ports[1].published_range == (8443, 8443)
    assert web.ports[2].protocol == "udp"
    assert web.expose == ("3000", "4000-4001")
    assert web.networks["front"] == ServiceNetwork(aliases=("www",), ipv4_address="172.20.0.5")
    assert web.networks["back"] == ServiceNetwork()
    assert web.extra_hosts == (("somehost", "162.242.195.82"),)
    assert web.dns == ("8.8.8.8",) and web.dns_search == ("example.com",) and web.dns_opt == ("use-vc",)
    bind, named, tmpfs = web.volumes
    assert bind.type == "bind" and bind.read_only and bind.bind is not None and bind.bind.create_host_path
    assert named == Mount(type="volume", target="/data", source="data", volume=named.volume)
    assert tmpfs.tmpfs is not None and tmpfs.tmpfs.size == 64 * 1024 * 1024
    assert web.tmpfs == ("/run",) and web.shm_size == 64 * 1024 * 1024
    assert web.secrets[1].mode == 0o440 and web.secrets[1].uid == "103"
    assert web.configs[0].source == "cfg" and web.configs[0].target is None


def test_web_service_resources_and_privileges() -> None:
    web = load(FULL).service("web")
    assert web.deploy is not None
    limits = web.deploy.resources.limits
    assert limits is not None and (limits.cpus, limits.memory, limits.pids) == (0.5, 512 * 2**20, 100)
    reservations = web.deploy.resources.reservations
    assert reservations is not None and reservations.devices[0].capabilities == ("gpu",)
    assert web.deploy.restart_policy is not None and web.deploy.restart_policy.max_attempts == 3
    assert web.deploy.extra == {"placement": {}}
    assert web.memory_limit == 512 * 2**20 and web.cpu_limit == 0.5 and web.pids_max == 100
    assert web.memory_reservation == 128 * 2**20
    assert web.cap_add == ("NET_ADMIN",) and web.cap_drop == ("ALL",)
    assert web.sysctls == {"net.core.somaxconn": "1024"}
    assert web.ulimits == {"nofile": Ulimit(20000, 40000), "nproc": Ulimit(65535, 65535)}
    assert web.devices[0].source == "/dev/fuse" and web.devices[0].permissions == "rwm"
    assert web.logging is not None and web.logging.options == {"max-size": "10m"}
    assert web.oom_score_adj == 100 and web.group_add == ("mail",) and web.ipc == "shareable"


def test_web_service_build_and_dependencies() -> None:
    web = load(FULL).service("web")
    assert web.build == Build(context="/tmp/cc1/web", dockerfile="Dockerfile.dev", args=FrozenMap({"A": "1"}),
                              target="dev")
    assert web.depends_on["db"] == Dependency(condition="service_healthy", required=True, restart=True)
    assert web.dependencies == ("cache", "db")
    assert web.links == ("cache:redis",) and web.pull_policy == "always" and web.platform == "linux/amd64"


def test_other_services() -> None:
    p = load(FULL)
    db, cache = p.service("db"), p.service("cache")
    assert db.scale == 2 and db.replicas == 2
    assert db.volumes_from == ("helper:ro", "container:abc")
    assert db.healthcheck is not None and db.healthcheck.test == ("CMD-SHELL", "pg_isready")
    assert cache.network_mode == "service:db" and cache.networks == {} and cache.command is None
    assert p.service("helper").replicas == 1


def test_build_options_and_rarer_attributes() -> None:
    app = load(BUILD_AND_TOP_LEVEL).service("app")
    assert app.build is not None
    assert app.build.dockerfile_inline == "FROM alpine" and app.build.dockerfile is None
    assert app.build.shm_size == 128 * 2**20 and app.build.no_cache and app.build.pull
    assert app.build.additional_contexts == {"base": "/tmp/cc2/app"}
    assert app.ports[0].published_range == (8000, 8010) and app.ports[0].mode == "host"
    assert app.ports[0].name == "web" and app.ports[0].app_protocol == "http"
    bind, named, tmpfs, anonymous = app.volumes
    assert bind.bind is not None and bind.bind.propagation == "rshared" and bind.consistency == "cached"
    assert named.volume is not None and named.volume.nocopy and named.volume.subpath == "sub"
    assert tmpfs.tmpfs is not None and (tmpfs.tmpfs.size, tmpfs.tmpfs.mode) == (1000, 0o1777)
    assert anonymous.source is None
    n1 = app.networks["n1"]
    assert n1.priority == 100 and n1.gw_priority == 1 and n1.link_local_ips == ("169.254.1.1",)
    assert app.healthcheck is not None and app.healthcheck.disabled
    assert app.gpus[0].count == -1 and app.mem_swappiness == 10 and app.memswap_limit == 2 * 2**30
    assert app.attach is False and app.oom_kill_disable and app.cpuset == "0-1" and app.uts == "host"
    assert app.stop_grace_period == 0.5
    assert app.post_start[0].command == ("echo", "hi") and app.post_start[0].user == "root"
    assert app.extra["blkio_config"] == {"weight": 300}


def test_durations_and_deploy_details() -> None:
    p = load(BUILD_AND_TOP_LEVEL)
    hc = p.service("hc").healthcheck
    assert hc is not None and hc.interval == pytest.approx(3723.5) and hc.retries == 0 and hc.disabled
    hc2 = p.service("hc2")
    assert hc2.healthcheck is not None and hc2.healthcheck.timeout == pytest.approx(10e-6)
    assert hc2.deploy is not None and hc2.deploy.restart_policy is not None
    assert hc2.deploy.restart_policy.window == 120.0 and hc2.deploy.labels == {"a": "b"}
    assert hc2.cpu_limit == 2.0
    n1 = p.networks["n1"]
    assert n1.internal and n1.attachable and n1.enable_ipv6 and n1.ipam.driver == "default"
    assert n1.ipam.config[0].aux_addresses == {"host1": "10.5.0.3"}
    assert p.volumes["cache"].driver_opts == {"device": "tmpfs", "type": "tmpfs"}


def test_external_objects_and_file_references() -> None:
    p = load(EXTERNALS)
    assert p.configs["c_ext"].external and p.configs["c_ext"].name == "cfg-real"
    assert p.secrets["s_env"].environment == "HOME"
    app = p.service("app")
    assert app.configs[0].mode == 0o444 and app.configs[0].target == "/etc/c"
    assert app.depends_on["db"].condition == "service_completed_successfully"
    assert p.service("db").profiles == ("x",)
    assert app.restart == "no"


def test_absent_keys_give_defaults() -> None:
    p = Project.from_canonical({}, working_dir=Path("."))
    assert p.name == "" and p.services == {} and p.networks == {}
    svc = Project.from_canonical({"name": "x", "services": {"a": None}}, working_dir=Path(".")).service("a")
    assert svc == Service(name="a")
    assert svc.replicas == 1 and svc.memory_limit is None and svc.healthcheck is None and svc.deploy is None


def test_unknown_attributes_are_kept_in_extra() -> None:
    svc = Service.from_canonical("a", {"image": "x", "x-note": [1, {"b": 2}], "models": {"m": None}})
    assert svc.extra == {"x-note": (1, {"b": 2}), "models": {"m": None}}
    assert Project.from_canonical({"x-top": 1}, working_dir=Path(".")).extra == {"x-top": 1}


def test_unknown_service_is_named() -> None:
    with pytest.raises(ServiceNotFound, match="no such service: nope"):
        load(FULL).service("nope")
    assert [s.name for s in load(FULL).select(["web", "db"])] == ["web", "db"]


def test_model_is_immutable() -> None:
    p = load(FULL)
    web = p.service("web")
    with pytest.raises(dataclasses.FrozenInstanceError):
        web.image = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        web.environment["FOO"] = "x"  # type: ignore[index]
    with pytest.raises(TypeError):
        p.services["new"] = web  # type: ignore[index]
    assert isinstance(web.ports, tuple) and isinstance(web.command, tuple)


def test_services_hash_and_compare() -> None:
    a, b = load(FULL), load(FULL)
    assert a == b and hash(a) == hash(b)
    assert hash(a.service("web")) == hash(b.service("web"))
    assert len({a.service("web"), b.service("web"), a.service("db")}) == 2
    changed = dict(FULL, services=dict(FULL["services"], web=dict(FULL["services"]["web"], image="nginx:2")))
    assert load(changed).service("web") != a.service("web")


def test_model_does_not_share_the_input() -> None:
    data = {"name": "x", "services": {"a": {"image": "i", "environment": {"K": "v"}}}}
    p = Project.from_canonical(data, working_dir=Path("."))
    data["services"]["a"]["environment"]["K"] = "changed"
    assert p.service("a").environment == {"K": "v"}


def test_config_hash_is_filled_in_and_ignores_scale() -> None:
    p = load(FULL)
    assert len(p.service("web").config_hash) == 64
    scaled = dict(FULL, services=dict(FULL["services"], web=dict(FULL["services"]["web"], scale=5)))
    assert load(scaled).service("web").config_hash == p.service("web").config_hash


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1m30s", 90.0), ("500ms", 0.5), ("10µs", 1e-5), ("1h2m3.5s", 3723.5), ("0s", 0.0), ("0", 0.0), (2, 2.0),
     ("1.5h", 5400.0), ("-1s", -1.0)],
)
def test_go_durations(text: Any, expected: float) -> None:
    assert seconds(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["", "1", "1x", "s", "1m 2s"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError):
        seconds(text)


@pytest.mark.parametrize(("text", "expected"), [("536870912", 536870912), (1024, 1024), ("64m", 64 << 20),
                                                ("1g", 1 << 30), ("2GB", 2 << 30), ("100b", 100)])
def test_sizes(text: Any, expected: int) -> None:
    assert size(text) == expected


def test_frozen_map_behaves_like_a_read_only_dict() -> None:
    m = freeze({"b": [1, {"c": 2}], "a": None})
    assert isinstance(m, FrozenMap) and list(m) == ["b", "a"] and m == {"b": (1, {"c": 2}), "a": None}
    assert hash(m) == hash(freeze({"a": None, "b": [1, {"c": 2}]}))
    assert m != {"b": (1, {"c": 2})} and m != [("b", 1)]
    assert "FrozenMap" in repr(m)
