"""Validation of service attributes, family by family.

Each case is a snippet of one service `web` (YAML, as the parse phase reads it) and
what Docker Compose v2.40.3 `docker compose config` did with it: accepted (`ok`), or
refused (`bad`, with the key path under `services.web` and words our message says).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest

from compose.errors import FileError
from compose.load.parse import parse
from compose.load.validate import validate


class Case(NamedTuple):
    snippet: str
    path: tuple[str | int, ...] | None  # None: accepted
    words: str = ""


def ok(snippet: str) -> Case:
    return Case(snippet, None)


def bad(snippet: str, path: tuple[str | int, ...], words: str) -> Case:
    return Case(snippet, path, words)


def service_file(snippet: str) -> str:
    body = "\n".join("    " + line for line in snippet.splitlines())
    return f"services:\n  web:\n{body}\n"


def outcome(snippet: str) -> FileError | None:
    parsed = parse(service_file(snippet), "compose.yaml")
    data: Any = parsed.data
    try:
        validate(data)
    except FileError as error:
        assert error.path in parsed.positions, "the loader cannot place this error in the file"
        return error
    return None


CASES: dict[str, list[Case]] = {
    "unknown keys": [
        bad("imagee: y", ("imagee",), 'unknown key "imagee" (did you mean "image"?)'),
        bad("foo: 1", ("foo",), 'unknown key "foo"'),
        ok("x-anything: {a: [1, {b: 2}]}"),
        bad("x-foo: {1: a}", ("x-foo",), "the key 1 is not a string"),
    ],
    "strings": [
        bad("image: 1", ("image",), "expected a string, found the number 1 (put it in quotes"),
        bad("image: true", ("image",), "found the boolean true"),
        bad("user: 1000", ("user",), "expected a string"),
        bad("hostname: [a]", ("hostname",), "expected a string, found a list"),
        ok("user: '1000'"),
        bad("restart:", ("restart",), "found an empty value"),
        bad("stop_grace_period: 10", ("stop_grace_period",), "expected a string"),
        ok("stop_grace_period: 1m30s"),
        ok("platform: linux/amd64\nruntime: runc\nipc: host\nuts: host\nuserns_mode: host\nisolation: default"),
        ok("mac_address: 02:42:ac:11:00:02\ndomainname: example.com\ncgroup_parent: m\ncpuset: 0-3"),
        ok("pull_refresh_after: 1h\nstop_signal: SIGTERM\nworking_dir: /app\nnetwork_mode: host"),
    ],
    "booleans or strings": [
        ok("privileged: true\ntty: 'true'\nstdin_open: false\ninit: true\nread_only: yes\nattach: false"),
        ok("oom_kill_disable: true"),
        bad("privileged: 1", ("privileged",), "expected a boolean or a string, found the number 1"),
        bad("privileged:", ("privileged",), "expected a boolean or a string, found an empty value"),
        ok("use_api_socket: true"),
        bad("use_api_socket: 'true'", ("use_api_socket",), 'expected a boolean, found the string "true"'),
    ],
    "numbers": [
        ok("cpus: 1.5\ncpu_shares: 512\ncpu_quota: '50000'\ncpu_period: 100000\ncpu_rt_period: 1\ncpu_rt_runtime: 1"),
        bad("cpus:", ("cpus",), "expected a number or a string"),
        ok("scale: 2"),
        ok("scale: 1.0"),
        bad("scale: 1.5", ("scale",), "expected an integer or a string, found the number 1.5"),
        ok("cpu_count: 2"),
        ok("cpu_count: '2'"),
        bad("cpu_count: -5", ("cpu_count",), "-5 is out of range: expected an integer of at least 0"),
        ok("cpu_percent: 100"),
        bad("cpu_percent: 101", ("cpu_percent",), "expected an integer from 0 to 100"),
        ok("oom_score_adj: -1000"),
        bad("oom_score_adj: 5000", ("oom_score_adj",), "out of range"),
        ok("mem_limit: 512m\nmem_reservation: 256m\nmemswap_limit: 1g\nmem_swappiness: 60\nshm_size: 64m"),
        ok("mem_limit: 1073741824\nmem_reservation: 1\nshm_size: 1.5"),
        bad("mem_reservation: 1.5", ("mem_reservation",), "expected a string or an integer"),
        ok("pids_limit: -1"),
    ],
    "enums and patterns": [
        ok("cgroup: host"),
        bad("cgroup: hots", ("cgroup",), '"hots" is not one of "host", "private" (did you mean "host"?)'),
        ok("container_name: my-app_1"),
        bad("container_name: a", ("container_name",), '"a" is not valid here'),
        bad("container_name: '/ a'", ("container_name",), "is not valid here"),
        ok("pull_policy: always"),
        ok("pull_policy: every_12h"),
        ok("pull_policy: if_not_present"),
        bad("pull_policy: sometimes", ("pull_policy",), "every_<duration>"),
    ],
    "command and entrypoint": [
        ok("command: echo hi"),
        ok("command: [echo, hi]"),
        ok("command:"),
        ok("entrypoint: []"),
        bad("command: {a: 1}", ("command",), "expected an empty value, a string or a list of strings, found a mapping"),
        bad("entrypoint: [sh, 1]", ("entrypoint", 1), "expected a string, found the number 1"),
    ],
    "list or dict (environment, labels, sysctls, annotations)": [
        ok("environment: {A: b, C: 1, D: 1.5, E: true, F: }"),
        ok("environment: [A=1, B]"),
        ok("environment: [A=1, A=1]"),
        bad("environment: [1]", ("environment", 0), "expected a string, found the number 1"),
        bad("environment: A=1", ("environment",), "expected a mapping or a list of strings"),
        bad("environment: {A: [1]}", ("environment", "A"),
            "expected a string, a number, a boolean or an empty value, found a list"),
        bad("environment: {1: a}", ("environment",), "the key 1 is not a string"),
        bad("environment:", ("environment",), "found an empty value"),
        ok("labels: {com.example: x}\nannotations: [a=b, a=b]\nsysctls: {net.core.somaxconn: 1024}"),
        ok("labels: [a=1, a=1]\nsysctls: [a=1, a=1]"),
        bad("labels: {'': a}", ("labels", ""), "is not a valid key"),
    ],
    "string or list (dns, dns_search, tmpfs)": [
        ok("dns: 8.8.8.8\ndns_search: example.com\ntmpfs: /run"),
        ok("dns: [a, a]\ndns_search: [a, a]\ntmpfs: [/a, /a]\ndns_opt: [a, a]"),
        bad("dns: 1", ("dns",), "expected a string or a list of strings, found the number 1"),
        bad("tmpfs:", ("tmpfs",), "expected a string or a list of strings"),
    ],
    "lists of strings": [
        ok("cap_add: [NET_ADMIN, NET_ADMIN]\ncap_drop: [ALL]\nprofiles: [a, a]\nlinks: [db]\nexternal_links: [x]"),
        bad("cap_add: NET_ADMIN", ("cap_add",), "expected a list of strings, found the string"),
        bad("external_links: [a, a]", ("external_links", 1), '"a" is listed twice (also at [0])'),
        bad("security_opt: [a, a]", ("security_opt", 1), "listed twice"),
        bad("volumes_from: [a, a]", ("volumes_from", 1), "listed twice"),
        bad("device_cgroup_rules: [a, a]", ("device_cgroup_rules", 1), "listed twice"),
        ok("group_add: [mail, 1000]"),
        ok("group_add: [1, '1']"),
        bad("group_add: [1, 1]", ("group_add", 1), "1 is listed twice"),
        bad("group_add: [true]", ("group_add", 0), "expected a string or a number"),
        ok("expose: [80, '80', 8000-8010/udp]"),
        bad("expose: [[80]]", ("expose", 0), "expected a string or a number, found a list"),
    ],
    "ports": [
        ok("ports: [80, '8080:80', 127.0.0.1:8080-8081:80-81/udp]"),
        ok("ports: ['80:80', '80:80']"),
        ok("ports: [{target: 80, published: '8080', host_ip: 127.0.0.1, protocol: tcp, mode: host, name: web, "
           "app_protocol: http, x-a: 1}]"),
        ok("ports: [{target: '80', published: 8080}]"),
        bad("ports: [true]", ("ports", 0), "expected a number, a string or a mapping, found the boolean true"),
        bad("ports: [{target: 80.5}]", ("ports", 0, "target"), "expected an integer or a string"),
        bad("ports: [{target: 80, hostip: x}]", ("ports", 0, "hostip"), 'did you mean "host_ip"?'),
        bad("ports: '80:80'", ("ports",), "expected a list of numbers, strings or mappings"),
    ],
    "volumes": [
        ok("volumes: ['./a:/a:ro', data:/data, /b]"),
        ok("volumes: ['/a:/b', '/a:/b']"),
        ok("volumes: [{type: bind, source: /a, target: /a, read_only: true, consistency: cached, "
           "bind: {propagation: rshared, create_host_path: 'true', recursive: readonly, selinux: Z}}]"),
        ok("volumes: [{type: volume, source: v, target: /a, volume: {nocopy: true, subpath: x, labels: {a: b}}}]"),
        ok("volumes: [{type: tmpfs, target: /a, tmpfs: {size: 1024, mode: 1777}}]"),
        ok("volumes: [{type: tmpfs, target: /a, tmpfs: {size: 64m}}]"),
        ok("volumes: [{type: image, source: a, target: /a, image: {subpath: x}}]"),
        ok("volumes: [{type: npipe, source: a, target: b}, {type: cluster, source: a, target: c}]"),
        bad("volumes: [{target: /a}]", ("volumes", 0), 'missing required key "type"'),
        bad("volumes: [{type: foo, target: /a}]", ("volumes", 0, "type"), '"foo" is not one of "bind", "volume"'),
        bad("volumes: [{type: tmpfs, target: /a, tmpfs: {size: -1}}]", ("volumes", 0, "tmpfs", "size"),
            "expected an integer of at least 0"),
        bad("volumes: [{type: tmpfs, target: /a, tmpfs: {size: 1.5}}]", ("volumes", 0, "tmpfs", "size"),
            "expected an integer of at least 0 or a string, found the number 1.5"),
        bad("volumes: [{type: bind, source: /a, target: /a, bind: {recursive: foo}}]",
            ("volumes", 0, "bind", "recursive"), "is not one of"),
        bad("volumes: [{type: bind, source: /a, target: /a, bind: {selinux: x}}]", ("volumes", 0, "bind", "selinux"),
            '"x" is not one of "z", "Z"'),
        bad("volumes: [{type: volume, source: v, target: /a, volume: {labels: [a=1, a=1]}}]",
            ("volumes", 0, "volume", "labels", 1), "listed twice"),
        bad("volumes: [1]", ("volumes", 0), "expected a string or a mapping, found the number 1"),
    ],
    "build": [
        ok("build: ."),
        ok("build: {context: ., dockerfile: Dockerfile, dockerfile_inline: FROM x, target: t, network: host, "
           "args: {A: 1}, ssh: [default], labels: [a=b], cache_from: [a], cache_to: [b], no_cache: true, "
           "additional_contexts: {a: b}, provenance: true, sbom: 'false', pull: true, shm_size: 64m, "
           "extra_hosts: [a=1.2.3.4], isolation: default, privileged: false, secrets: [s], tags: [t], "
           "ulimits: {nofile: 1024}, platforms: [linux/amd64], entitlements: [network.host], x-a: 1}"),
        ok("build: {context: ., args: [a=1, a=1], labels: [a=1, a=1], additional_contexts: [a=b, a=b]}"),
        bad("build: 1", ("build",), "expected a string or a mapping, found the number 1"),
        bad("build:", ("build",), "expected a string or a mapping, found an empty value"),
        bad("build: {context: ., foo: 1}", ("build", "foo"), 'unknown key "foo"'),
        bad("build: {contxt: .}", ("build", "contxt"), 'did you mean "context"?'),
        bad("build: {context: ., no_cache: 1}", ("build", "no_cache"), "expected a boolean or a string"),
        bad("build: {context: ., shm_size: 1.5}", ("build", "shm_size"), "expected an integer or a string"),
        bad("build: {context: ., args: {a: [1]}}", ("build", "args", "a"), "found a list"),
        bad("build: {context: ., ssh: [default, default]}", ("build", "ssh", 1), "listed twice"),
        bad("build: {context: ., extra_hosts: [a=1, a=1]}", ("build", "extra_hosts", 1), "listed twice"),
        bad("build: {context: ., secrets: [{source: s, uid: 0}]}", ("build", "secrets", 0, "uid"),
            "expected a string"),
    ],
    "blkio_config": [
        ok("blkio_config: {weight: 300, weight_device: [{path: /dev/sda, weight: 400}], "
           "device_read_bps: [{path: /dev/sda, rate: 12mb}], device_write_iops: [{path: /dev/sda, rate: 30}]}"),
        bad("blkio_config: {x-a: 1}", ("blkio_config", "x-a"), 'unknown key "x-a"'),
        bad("blkio_config: {device_read_bps: [{path: /dev/sda, rate: 1.5}]}",
            ("blkio_config", "device_read_bps", 0, "rate"), "expected an integer or a string"),
        bad("blkio_config:", ("blkio_config",), "expected a mapping, found an empty value"),
    ],
    "depends_on": [
        ok("depends_on: [db]"),
        ok("depends_on: {db: {condition: service_healthy, restart: true, required: false, x-a: 1}}"),
        bad("depends_on: [a, a]", ("depends_on", 1), "listed twice"),
        bad("depends_on: {db: {restart: true}}", ("depends_on", "db"), 'missing required key "condition"'),
        bad("depends_on: {db: {condition: service_healty}}", ("depends_on", "db", "condition"),
            'did you mean "service_healthy"?'),
        bad("depends_on: {db: {condition: service_started, required: 'true'}}",
            ("depends_on", "db", "required"), "expected a boolean"),
        bad("depends_on: {'a b': {condition: service_started}}", ("depends_on", "a b"),
            '"a b" is not a valid service name'),
        bad("depends_on: {db: }", ("depends_on", "db"), "expected a mapping, found an empty value"),
        bad("depends_on:", ("depends_on",), "expected a list of strings or a mapping"),
        bad("depends_on: db", ("depends_on",), 'found the string "db"'),
    ],
    "deploy": [
        ok("deploy:"),
        ok("deploy: {mode: replicated, replicas: 2, endpoint_mode: vip, labels: [a=1, a=1], "
           "resources: {limits: {cpus: '0.5', memory: 512m, pids: 100}, reservations: {cpus: 0.25, memory: 1g, "
           "generic_resources: [{discrete_resource_spec: {kind: gpu, value: 2}}], "
           "devices: [{capabilities: [gpu], count: all, driver: nvidia, device_ids: ['0'], options: {a: b}}]}}, "
           "restart_policy: {condition: on-failure, delay: 5s, max_attempts: 3, window: 120s}, "
           "placement: {constraints: [a], preferences: [{spread: b}], max_replicas_per_node: 1}, "
           "update_config: {parallelism: 2, delay: 10s, failure_action: pause, monitor: 1s, max_failure_ratio: 0.5, "
           "order: start-first}, rollback_config: {order: stop-first, x-a: 1}}"),
        bad("deploy: {mode: 1}", ("deploy", "mode"), "expected a string"),
        bad("deploy: {resources: {limits: {memory: 512}}}", ("deploy", "resources", "limits", "memory"),
            "expected a string, found the number 512"),
        bad("deploy: {resources: {limits: {pids: 1.5}}}", ("deploy", "resources", "limits", "pids"),
            "expected an integer or a string"),
        bad("deploy: {resources: {reservations: {devices: [{count: all}]}}}",
            ("deploy", "resources", "reservations", "devices", 0), 'missing required key "capabilities"'),
        bad("deploy: {resources: {reservations: {devices: [{capabilities: [gpu, gpu]}]}}}",
            ("deploy", "resources", "reservations", "devices", 0, "capabilities", 1), "listed twice"),
        bad("deploy: {update_config: {order: foo}}", ("deploy", "update_config", "order"),
            '"foo" is not one of "start-first", "stop-first"'),
        bad("deploy: {resources: {limit: {}}}", ("deploy", "resources", "limit"), 'did you mean "limits"?'),
    ],
    "develop": [
        ok("develop:"),
        ok("develop: {watch: [{path: ., action: sync, target: /app, ignore: [a], include: b, initial_sync: true}, "
           "{path: ., action: sync+exec, target: /app, exec: {command: ls, user: root, privileged: true, "
           "working_dir: /, environment: {A: b}}}]}"),
        bad("develop: {watch: [{action: sync}]}", ("develop", "watch", 0), 'missing required key "path"'),
        bad("develop: {watch: [{path: ., action: copy}]}", ("develop", "watch", 0, "action"), "is not one of"),
        bad("develop: {watch: [{path: ., action: sync+exec, exec: {}}]}", ("develop", "watch", 0, "exec"),
            'missing required key "command"'),
        bad("develop: {watch: [{path: ., action: sync, initial_sync: 'true'}]}",
            ("develop", "watch", 0, "initial_sync"), "expected a boolean"),
        bad("develop: {watch: [{path: ., action: sync, ignore: [a, a]}]}", ("develop", "watch", 0, "ignore", 1),
            "listed twice"),
    ],
    "devices, gpus": [
        ok("devices: [/dev/fuse, /dev/fuse, '/dev/sda:/dev/xvda:rwm', {source: /dev/a, target: /dev/b, "
           "permissions: r, x-a: 1}]"),
        bad("devices: [{target: /dev/b}]", ("devices", 0), 'missing required key "source"'),
        ok("gpus: all"),
        ok("gpus: [{driver: nvidia, count: 1, foo: 1}]"),
        bad("gpus: some", ("gpus",), '"some" is not one of "all"'),
        bad("gpus: [all]", ("gpus", 0), "expected a mapping"),
        bad("gpus: [{capabilities: [gpu], options: [a=1, a=1]}]", ("gpus", 0, "options", 1), "listed twice"),
    ],
    "env_file, label_file, extends, provider": [
        ok("env_file: .env"),
        ok("env_file: [a.env, a.env, {path: b.env, required: false, format: raw}]"),
        bad("env_file: [{path: a, x-a: 1}]", ("env_file", 0, "x-a"), 'unknown key "x-a"'),
        bad("env_file: [{required: false}]", ("env_file", 0), 'missing required key "path"'),
        bad("env_file:", ("env_file",), "expected a string or a list of strings or mappings"),
        ok("label_file: [a, a]"),
        ok("extends: base"),
        ok("extends: {service: base, file: other.yaml}"),
        bad("extends: {file: other.yaml}", ("extends",), 'missing required key "service"'),
        ok("extends: {service: base, x-a: 1, foo: 1}"),  # Compose reads extends loosely
        bad("extends: {service: 1}", ("extends", "service"), "expected a string"),
        ok("provider: {type: model, options: {model: ai/x, flags: [1, true, x]}}"),
        bad("provider: {options: {}}", ("provider",), 'missing required key "type"'),
        bad("provider: {type: a, options: {a: [[1]]}}", ("provider", "options", "a", 0), "found a list"),
        bad("provider: {type: a, options: {a: }}", ("provider", "options", "a"), "found an empty value"),
    ],
    "extra_hosts": [
        ok("extra_hosts: ['somehost=162.242.195.82', 'otherhost:50.31.209.229']"),
        ok("extra_hosts: {somehost: 162.242.195.82, multi: ['::1', 1.2.3.4]}"),
        bad("extra_hosts: [a=1.1.1.1, a=1.1.1.1]", ("extra_hosts", 1), "listed twice"),
        bad("extra_hosts: {a: }", ("extra_hosts", "a"), "expected a string or a list of strings, found an empty"),
    ],
    "healthcheck": [
        ok("healthcheck: {test: [CMD, curl, -f, http://localhost], interval: 1m30s, timeout: 10s, retries: 3, "
           "start_period: 40s, start_interval: 5s, x-a: 1}"),
        ok("healthcheck: {test: curl -f http://localhost, retries: '3'}"),
        ok("healthcheck: {disable: true}"),
        bad("healthcheck:", ("healthcheck",), "expected a mapping, found an empty value"),
        bad("healthcheck: {interval: 10}", ("healthcheck", "interval"), "expected a string, found the number 10"),
        bad("healthcheck: {test: [CMD, true]}", ("healthcheck", "test", 1), "found the boolean true"),
        bad("healthcheck: {tests: [CMD]}", ("healthcheck", "tests"), 'did you mean "test"?'),
    ],
    "logging": [
        ok("logging: {driver: json-file, options: {max-size: 10m, max-file: 3, tag: }}"),
        bad("logging: {options: {a: true}}", ("logging", "options", "a"), "found the boolean true"),
        bad("logging: {drivr: x}", ("logging", "drivr"), 'did you mean "driver"?'),
    ],
    "networks and models of a service": [
        ok("networks: [front, back]"),
        ok("networks: {front: , back: {aliases: [a, a], ipv4_address: 172.16.0.2, ipv6_address: '::2', "
           "interface_name: eth1, link_local_ips: [a, a], mac_address: x, driver_opts: {a: 1}, priority: 1, "
           "gw_priority: 1.5, x-a: 1}}"),
        bad("networks: [a, a]", ("networks", 1), "listed twice"),
        bad("networks: [a, 1]", ("networks", 1), "expected a string"),
        bad("networks:", ("networks",), "expected a list of strings or a mapping, found an empty value"),
        bad("networks: {'a b': }", ("networks", "a b"), '"a b" is not a valid network name'),
        bad("networks: {n: {priority: '1'}}", ("networks", "n", "priority"), 'expected a number, found the string'),
        bad("networks: {n: {aliases: a}}", ("networks", "n", "aliases"), "expected a list of strings"),
        ok("models: [m]"),
        ok("models: {m: , n: {endpoint_var: A, model_var: B}, 'a b': }"),
        bad("models: [m, m]", ("models", 1), "listed twice"),
        bad("models: {m: {foo: 1}}", ("models", "m", "foo"), 'unknown key "foo"'),
    ],
    "secrets and configs of a service": [
        ok("secrets: [a, a, {source: b, target: /run/b, uid: '1000', gid: '1000', mode: 0o440, x-a: 1}]"),
        ok("configs: [a, {source: b, mode: '0440'}]"),
        bad("secrets: [{source: a, uid: 1000}]", ("secrets", 0, "uid"), "expected a string, found the number 1000"),
        bad("configs: [{source: a, owner: x}]", ("configs", 0, "owner"), 'unknown key "owner"'),
        bad("secrets: a", ("secrets",), "expected a list of strings or mappings"),
    ],
    "hooks": [
        ok("post_start: [{command: echo hi, user: root, privileged: true, working_dir: /, environment: [A=1]}]"),
        ok("pre_stop: [{command: [sh, -c, exit]}]"),
        bad("post_start: [{user: root}]", ("post_start", 0), 'missing required key "command"'),
        bad("post_start: [{command: x, environment: [a=1, a=1]}]", ("post_start", 0, "environment", 1),
            "listed twice"),
        bad("pre_stop: {command: x}", ("pre_stop",), "expected a list of mappings"),
    ],
    "ulimits, storage_opt, credential_spec, pid": [
        ok("ulimits: {nproc: 65535, nofile: {soft: 20000, hard: 40000, x-a: 1}, core: '0'}"),
        bad("ulimits: {nofile: {soft: 1}}", ("ulimits", "nofile"), 'missing required key "hard"'),
        bad("ulimits: {nofile: 1.5}", ("ulimits", "nofile"), "expected an integer, a string or a mapping"),
        bad("ulimits: {nofile: }", ("ulimits", "nofile"), "found an empty value"),
        ok("ulimits: {NOFILE: {a: 1}}"),
        ok("storage_opt: {size: 1G, count: 1, none: }"),
        bad("storage_opt: {size: true}", ("storage_opt", "size"), "expected a string, an integer or an empty value"),
        bad("storage_opt: {size: [1]}", ("storage_opt", "size"), "found a list"),
        bad("storage_opt: [a]", ("storage_opt",), "expected a mapping, found a list"),
        ok("credential_spec: {config: c, file: f, registry: r, x-a: 1}"),
        bad("credential_spec: {foo: 1}", ("credential_spec", "foo"), "the keys here are config, file, registry"),
        ok("pid: host"),
        bad("pid:", ("pid",), "expected a string, found an empty value"),  # Compose crashes on it
    ],
}

ALL = [pytest.param(case, id=f"{family}: {case.snippet[:50]}") for family, cases in CASES.items() for case in cases]


@pytest.mark.parametrize("case", ALL)
def test_service_attribute(case: Case) -> None:
    error = outcome(case.snippet)
    if case.path is None:
        assert error is None, f"refused: {error}"
        return
    assert error is not None, "accepted, but Docker Compose refuses it"
    assert error.path == ("services", "web") + case.path
    assert case.words in error.problem


def test_every_service_attribute_of_the_specification_is_known() -> None:
    from compose.load.schema_service import SERVICE

    attributes = {
        "annotations", "attach", "blkio_config", "build", "cap_add", "cap_drop", "cgroup", "cgroup_parent", "command",
        "configs", "container_name", "cpu_count", "cpu_percent", "cpu_period", "cpu_quota", "cpu_rt_period",
        "cpu_rt_runtime", "cpu_shares", "cpus", "cpuset", "credential_spec", "depends_on", "deploy", "develop",
        "device_cgroup_rules", "devices", "dns", "dns_opt", "dns_search", "domainname", "entrypoint", "env_file",
        "environment", "expose", "extends", "external_links", "extra_hosts", "gpus", "group_add", "healthcheck",
        "hostname", "image", "init", "ipc", "isolation", "label_file", "labels", "links", "logging", "mac_address",
        "mem_limit", "mem_reservation", "mem_swappiness", "memswap_limit", "models", "network_mode", "networks",
        "oom_kill_disable", "oom_score_adj", "pid", "pids_limit", "platform", "ports", "post_start", "pre_stop",
        "privileged", "profiles", "provider", "pull_policy", "pull_refresh_after", "read_only", "restart", "runtime",
        "scale", "secrets", "security_opt", "shm_size", "stdin_open", "stop_grace_period", "stop_signal",
        "storage_opt", "sysctls", "tmpfs", "tty", "ulimits", "use_api_socket", "user", "userns_mode", "uts",
        "volumes", "volumes_from", "working_dir",
    }
    assert set(SERVICE.fields) == attributes
