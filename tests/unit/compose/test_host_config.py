"""compose.reconcile.host_config: a service's attributes as container options, as Docker Compose maps them."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from compose.plan import labels as L
from compose.reconcile import host_config
from compose.reconcile.errors import DependencyFailed, NotSupportedYet
from compose.reconcile.runs import run_options
from engine.containers.options import Device, Ulimit
from engine.state import ContainerRecord
from tests.unit.compose.test_graph import load_project

KITCHEN = """
    services:
      app:
        image: busybox
        privileged: false
        cap_add: [NET_ADMIN]
        cap_drop: [MKNOD]
        read_only: true
        security_opt: ["no-new-privileges:true", "seccomp=unconfined", "systempaths=unconfined"]
        group_add: [audio, "1000"]
        init: true
        domainname: example.org
        sysctls: {net.core.somaxconn: 1024}
        ulimits: {nofile: {soft: 1024, hard: 2048}, nproc: 64}
        oom_score_adj: 300
        oom_kill_disable: true
        annotations: {org.example.tier: web}
        ipc: shareable
        pid: host
        uts: host
        cgroup: host
        userns_mode: host
        shm_size: 128m
        devices: ["/dev/fuse:/dev/f:r"]
        device_cgroup_rules: ["c 10:229 rw"]
        cpu_shares: 512
        cpu_quota: 50000
        cpu_period: 100000
        cpuset: "0"
        mem_reservation: 32m
        memswap_limit: 1g
        mem_swappiness: 10
        mem_limit: 512m
        cgroup_parent: batch
        blkio_config:
          weight: 300
          weight_device: [{path: /dev/sda, weight: 400}]
          device_read_bps: [{path: /dev/sdb, rate: 12mb}]
          device_write_iops: [{path: /dev/sdb, rate: 30}]
        logging: {driver: local, options: {max-file: "2"}}
        volumes_from: [db, "container:legacy:ro"]
        expose: ["80", "3000-3001/udp"]
        extra_hosts: ["legacy:10.0.0.9"]
      db: {image: busybox}
"""


def service(tmp_path, text: str, name: str = "app"):  # type: ignore[no-untyped-def]
    return load_project(tmp_path, text).services[name]


def test_every_attribute_reaches_the_options(tmp_path):
    o = run_options(service(tmp_path, KITCHEN), "demo-app-1", "busybox", {}, "")
    assert (o.cap_add, o.cap_drop, o.read_only, o.privileged) == (("NET_ADMIN",), ("MKNOD",), True, False)
    assert (o.no_new_privileges, o.seccomp, o.system_paths_unconfined) == (True, "unconfined", True)
    assert (o.group_add, o.init, o.domainname) == (("audio", "1000"), True, "example.org")
    assert o.sysctls == {"net.core.somaxconn": "1024"}
    assert set(o.ulimits) == {Ulimit("nofile", 1024, 2048), Ulimit("nproc", 64, 64)}
    assert (o.oom_score_adj, o.oom_kill_disable, o.annotations) == (300, True, {"org.example.tier": "web"})
    assert (o.ipc, o.pid, o.uts, o.cgroupns, o.userns, o.shm_size) == ("shareable", "host", "host", "host", "host",
                                                                       128 << 20)
    assert o.devices == (Device("/dev/fuse", "/dev/f", "r"),) and o.device_cgroup_rules == ("c 10:229 rw",)
    assert (o.cpu_shares, o.cpu_quota, o.cpu_period, o.cpuset_cpus) == (512, 50000, 100000, "0")
    assert (o.memory, o.memory_reservation, o.memory_swap, o.memory_swappiness) == (
        str(512 << 20), str(32 << 20), str(1 << 30), 10)
    assert (o.cgroup_parent, o.blkio_weight, o.blkio_weight_device) == ("batch", 300, (("/dev/sda", 400),))
    assert (o.device_read_bps, o.device_write_iops, o.device_write_bps) == ((("/dev/sdb", str(12 << 20)),),
                                                                           (("/dev/sdb", 30),), ())
    assert (o.log_driver, o.log_opts) == ("local", {"max-file": "2"})
    assert o.volumes_from == ("db", "container:legacy:ro")
    assert o.expose == ("80/tcp", "3000/udp", "3001/udp")
    assert o.extra_hosts == (("legacy", "10.0.0.9"),)


def test_defaults_are_dockers(tmp_path):
    o = run_options(service(tmp_path, "services: {app: {image: busybox}}"), "x", "busybox", {}, "")
    assert (o.ipc, o.cgroupns, o.log_driver, o.init, o.privileged, o.cap_add) == (
        "private", "private", "json-file", False, False, ())


def test_deploy_resources_are_the_limits_and_the_memory_reservation(tmp_path):
    o = run_options(service(tmp_path, """
        services:
          app:
            image: busybox
            deploy:
              resources:
                limits: {cpus: "0.5", memory: 64m, pids: 10}
                reservations: {memory: 16m, cpus: "0.25"}
        """), "x", "busybox", {}, "")
    assert (o.memory, o.cpus, o.pids_limit, o.memory_reservation) == (str(64 << 20), 0.5, 10, str(16 << 20))
    assert o.cpu_shares is None  # a CPU reservation is Swarm's: Compose does not map it
    own = run_options(service(tmp_path, """
        services: {app: {image: busybox, mem_limit: 1g, cpus: 2, pids_limit: 100}}
        """), "x", "busybox", {}, "")
    assert (own.memory, own.cpus, own.pids_limit) == (str(1 << 30), 2.0, 100)


@pytest.mark.parametrize(("attribute", "message"), [
    ("gpus: all", "service app: gpus: could not select device driver"),
    ("deploy: {resources: {reservations: {devices: [{capabilities: [gpu]}]}}}",
     "service app: deploy.resources.reservations.devices"),
    ("storage_opt: {size: 1G}", "service app: storage_opt: not supported"),
    ("isolation: hyperv", "service app: isolation: Invalid isolation: 'hyperv' - Linux only supports 'default'"),
    ("userns_mode: private", "service app: userns_mode 'private'"),
    ("logging: {driver: syslog}", "service app: logging.driver 'syslog': not supported"),
    ("cpu_rt_runtime: 400000", "service app: cpu_rt_runtime: real-time CPU time"),
    ("use_api_socket: true", "service app: use_api_socket: pycompose has no Docker API socket"),
])
def test_what_cannot_work_here_is_refused_naming_service_and_attribute(tmp_path, attribute, message):
    text = f"services:\n  app:\n    image: busybox\n    {attribute}\n  ok: {{image: busybox}}\n"
    project = load_project(tmp_path, text)
    with pytest.raises(NotSupportedYet, match=message):
        host_config.refuse(project, ["ok", "app"])
    host_config.refuse(project, ["ok"])  # only the services about to get a container


def test_isolation_default_and_userns_host_are_fine(tmp_path):
    host_config.check(service(tmp_path, "services: {app: {image: x, isolation: default, userns_mode: host}}"))


def test_selinux_and_apparmor_options_are_warned_about(tmp_path):
    found = host_config.warnings(service(tmp_path, """
        services: {app: {image: x, security_opt: ["label=disable", "apparmor=unconfined"]}}"""))
    assert len(found) == 2 and all(w.startswith("service app: security-opt") for w in found)


def test_cpu_count_and_percent_are_dropped_with_dockers_warning(tmp_path):
    found = host_config.warnings(service(tmp_path, "services: {app: {image: x, cpu_count: 2, cpu_percent: 50}}"))
    assert found == ["service app: linux does not support CPU percent. Percent discarded.",
                     "service app: linux does not support CPU count. Count discarded."]


def test_a_bad_security_opt_names_the_service(tmp_path):
    with pytest.raises(NotSupportedYet, match="service app: security_opt: invalid --security-opt 2"):
        run_options(service(tmp_path, "services: {app: {image: x, security_opt: [\"mask=/proc\"]}}"), "x", "x",
                    {}, "")


def _world(*records: ContainerRecord):  # type: ignore[no-untyped-def]
    return SimpleNamespace(containers=SimpleNamespace(list=lambda all=False: list(records)))


def _record(cid: str, service_name: str, number: int, state: str = "running") -> ContainerRecord:
    labels = {L.PROJECT: "demo", L.SERVICE: service_name, L.CONTAINER_NUMBER: str(number), L.ONEOFF: "False"}
    return ContainerRecord(id=cid, name=f"demo-{service_name}-{number}", labels=labels, state=state)


def test_service_references_become_containers(tmp_path):
    project = load_project(tmp_path, """
        services:
          db: {image: busybox, ipc: shareable}
          app: {image: busybox, ipc: "service:db", pid: "service:db", volumes_from: ["db:ro", "container:x"]}
        """)
    app = project.services["app"]
    world = _world(_record("b2", "db", 2), _record("a1", "db", 1), _record("c9", "db", 3, state="exited"))
    options = host_config.joins(world, project, app, run_options(app, "demo-app-1", "busybox", {}, ""))
    assert (options.ipc, options.pid, options.volumes_from) == ("container:a1", "container:a1", ("a1:ro", "x"))
    with pytest.raises(DependencyFailed, match="service app: ipc service:db: service db has no running container"):
        host_config.joins(_world(), project, app, run_options(app, "demo-app-1", "busybox", {}, ""))
