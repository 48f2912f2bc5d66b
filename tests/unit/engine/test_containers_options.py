"""The container options into config.json (engine.containers.bundle with .security, .isolation, .devices,
.limits), pure: options in, the document out, compared with what Docker's daemon writes for them."""

from __future__ import annotations

import os
import stat

import pytest

from engine.cgroups.resources import DEFAULT_DEVICE_RULES, DeviceRule
from engine.containers import bundle, devices, limits, resolve, security
from engine.containers.bundle import Host, Identity
from engine.containers.errors import ContainerInvalid
from engine.containers.options import Device, Mount, RunOptions, Ulimit
from engine.runtime.capabilities import DOCKER_DEFAULT

IMAGE = {"Cmd": ["sh"]}
WHO = Identity(hostname="abc", cgroup="pycompose/abc")
ALL_BITS = (1 << 41) - 1


def doc(host: Host | None = None, **options) -> dict:
    return bundle.config(IMAGE, RunOptions("busybox", **options), WHO, {}, host=host or Host(bounding=ALL_BITS))


def caps(**options) -> list[str]:
    return security.capabilities(RunOptions("busybox", **options), ALL_BITS)


def kinds(document: dict) -> dict[str, str | None]:
    return {ns["type"]: ns.get("path") for ns in document["linux"]["namespaces"]}


def mount(document: dict, target: str) -> dict | None:
    return next((m for m in document["mounts"] if m["destination"] == target), None)


# --- capabilities ------------------------------------------------------------------------------

def test_default_capabilities_are_dockers():
    sets = doc()["process"]["capabilities"]
    assert sets == {"bounding": list(DOCKER_DEFAULT), "effective": list(DOCKER_DEFAULT),
                    "permitted": list(DOCKER_DEFAULT)}


def test_cap_add_and_drop_in_any_spelling():
    chosen = caps(cap_add=("net_admin", "CAP_SYS_TIME"), cap_drop=("chown", "Cap_Kill"))
    assert "CAP_NET_ADMIN" in chosen and "CAP_SYS_TIME" in chosen
    assert "CAP_CHOWN" not in chosen and "CAP_KILL" not in chosen
    assert chosen[:len(DOCKER_DEFAULT) - 2] == [c for c in DOCKER_DEFAULT if c not in ("CAP_CHOWN", "CAP_KILL")]


def test_all_in_cap_drop_keeps_only_the_added_ones():
    assert caps(cap_drop=("ALL",), cap_add=("net_bind_service", "chown")) == ["CAP_NET_BIND_SERVICE", "CAP_CHOWN"]
    assert caps(cap_drop=("all",)) == []


def test_all_in_cap_add_is_everything_but_the_dropped():
    chosen = caps(cap_add=("ALL",), cap_drop=("sys_admin",))
    assert len(chosen) == 40 and "CAP_SYS_ADMIN" not in chosen and "CAP_SYS_MODULE" in chosen


def test_capabilities_never_exceed_what_the_engine_holds():
    without_sys_resource = ALL_BITS & ~(1 << 24)
    assert "CAP_SYS_RESOURCE" not in security.capabilities(RunOptions("x", privileged=True), without_sys_resource)
    with pytest.raises(ContainerInvalid, match="cap_add CAP_SYS_RESOURCE: this host does not grant it"):
        security.capabilities(RunOptions("x", cap_add=("sys_resource",)), without_sys_resource)


def test_an_unknown_capability_is_named_as_docker_names_it():
    with pytest.raises(ContainerInvalid, match='unknown capability: "CAP_FLY"'):
        caps(cap_add=("fly",))


# --- privileged, read-only, no-new-privileges ---------------------------------------------------------

def test_privileged_has_every_capability_a_writable_sys_and_nothing_masked():
    nodes = ({"path": "/dev/sda", "type": "b", "major": 8, "minor": 0, "fileMode": 0o660, "uid": 0, "gid": 6},)
    document = doc(Host(bounding=ALL_BITS, devices=nodes), privileged=True)
    assert len(document["process"]["capabilities"]["bounding"]) == 41
    assert "ro" not in mount(document, "/sys")["options"]
    assert document["linux"]["maskedPaths"] == [] and document["linux"]["readonlyPaths"] == []
    assert document["linux"]["devices"] == list(nodes)


def test_systempaths_unconfined_unmasks_without_privileges():
    document = doc(system_paths_unconfined=True)
    assert document["linux"]["maskedPaths"] == [] and "ro" in mount(document, "/sys")["options"]
    assert document["process"]["capabilities"]["bounding"] == list(DOCKER_DEFAULT)


def test_read_only_root_leaves_dev_proc_and_user_mounts_writable():
    document = bundle.config(IMAGE, RunOptions("x", read_only=True, mounts=(Mount("bind", "/data", "/srv"),)),
                             WHO, {"/etc/hosts": "/b/hosts"}, host=Host(bounding=ALL_BITS))
    assert document["root"]["readonly"] is True
    for target in ("/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/data"):
        assert "ro" not in mount(document, target)["options"], target
    assert "ro" in mount(document, "/sys")["options"]
    assert mount(document, "/etc/hosts")["options"] == ["rbind", "ro", "rprivate"]  # the engine's, as Docker's


def test_dockers_default_sysctls_come_with_a_network_of_its_own():
    defaults = {"net.ipv4.ping_group_range": "0 2147483647", "net.ipv4.ip_unprivileged_port_start": "0"}
    host = Host(bounding=ALL_BITS, sysctls=defaults)
    assert doc(host)["linux"]["sysctl"] == defaults
    assert "sysctl" not in doc(host, network="host")["linux"]
    mine = doc(host, sysctls={"net.ipv4.ip_unprivileged_port_start": "1024"})["linux"]["sysctl"]
    assert mine["net.ipv4.ip_unprivileged_port_start"] == "1024"


def test_no_new_privileges_is_off_unless_asked():
    assert doc()["process"]["noNewPrivileges"] is False
    assert doc(no_new_privileges=True)["process"]["noNewPrivileges"] is True


# --- the process: ulimits, sysctls, oom score, groups, annotations, init -----------------------------

def test_ulimits_replace_the_default_by_name():
    rlimits = doc(ulimits=(Ulimit("nofile", 1024, 2048), Ulimit("core", -1, -1)))["process"]["rlimits"]
    assert {"type": "RLIMIT_NOFILE", "soft": 1024, "hard": 2048} in rlimits
    assert {"type": "RLIMIT_CORE", "soft": 2**64 - 1, "hard": 2**64 - 1} in rlimits
    assert len([r for r in rlimits if r["type"] == "RLIMIT_NOFILE"]) == 1


def test_sysctls_and_the_domain_name():
    document = doc(sysctls={"net.ipv4.ip_forward": "1"}, domainname="example.org")
    assert document["linux"]["sysctl"] == {"kernel.domainname": "example.org", "net.ipv4.ip_forward": "1"}


def test_a_sysctl_outside_the_containers_namespaces_is_refused():
    with pytest.raises(ContainerInvalid, match='sysctl "net.ipv4.ip_forward" not allowed in host network'):
        doc(network="host", sysctls={"net.ipv4.ip_forward": "1"})
    with pytest.raises(ContainerInvalid, match='sysctl "kernel.shmmax" not allowed in host IPC'):
        doc(ipc="host", sysctls={"kernel.shmmax": "1"}, host=Host(shm="/dev/shm", bounding=ALL_BITS))
    with pytest.raises(ContainerInvalid, match='sysctl "kernel.panic" is not in a separate kernel namespace'):
        doc(sysctls={"kernel.panic": "1"})


def test_oom_score_adj():
    assert doc(oom_score_adj=500)["process"]["oomScoreAdj"] == 500
    assert "oomScoreAdj" not in doc()["process"]
    with pytest.raises(ContainerInvalid, match=r"range for oom score adj is \[-1000, 1000\]"):
        doc(oom_score_adj=1001)


def test_additional_groups_reach_the_process():
    document = bundle.config(IMAGE, RunOptions("x"), Identity("h", uid=5, gid=5, additional_gids=(5, 20)), {},
                             host=Host(bounding=ALL_BITS))
    assert document["process"]["user"] == {"uid": 5, "gid": 5, "additionalGids": [5, 20]}


def test_groups_resolve_as_dockers_get_user(tmp_path):
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "passwd").write_text("root:x:0:0::/root:/bin/sh\nweb:x:33:33::/srv:/bin/false\n")
    (tmp_path / "etc" / "group").write_text("root:x:0:\nwheel:x:10:root,web\naudio:x:29:\nweb:x:33:\n")
    assert resolve.groups(tmp_path, "web", 33, ("audio", "1000")) == (33, 10, 29, 1000)
    assert resolve.groups(tmp_path, "0", 0, ()) == (0, 10)
    with pytest.raises(ContainerInvalid, match="unable to find group video"):
        resolve.groups(tmp_path, "web", 33, ("video",))


def test_annotations():
    assert doc(annotations={"org.example/team": "a"})["annotations"] == {"org.example/team": "a"}


def test_init_is_docker_init_before_the_program():
    document = doc(Host(init_path="/usr/bin/docker-init", bounding=ALL_BITS), init=True)
    assert document["process"]["args"] == ["/sbin/docker-init", "--", "sh"]
    assert mount(document, "/sbin/docker-init") == {"destination": "/sbin/docker-init", "type": "bind",
                                                    "source": "/usr/bin/docker-init", "options": ["bind", "ro"]}


def test_init_without_docker_init():
    assert doc(init=True)["annotations"] == {"org.pycompose.init": "true"}  # the native runtime's own
    with pytest.raises(ContainerInvalid, match="--init with runtime `runc`: docker-init is not on this host"):
        doc(init=True, runtime="runc")
    assert doc(init=True, pid="host")["process"]["args"] == ["sh"]  # an init is there already


# --- namespaces and /dev/shm ----------------------------------------------------------------------------

def test_default_namespaces():
    assert kinds(doc()) == {"pid": None, "ipc": None, "uts": None, "mount": None, "cgroup": None, "network": None}


def test_host_namespaces_are_left_out():
    document = doc(Host(shm="/dev/shm", bounding=ALL_BITS), pid="host", ipc="host", uts="host", cgroupns="host")
    assert kinds(document) == {"mount": None, "network": None}
    assert "hostname" not in document
    assert mount(document, "/dev/shm") == {"destination": "/dev/shm", "type": "bind", "source": "/dev/shm",
                                           "options": ["rbind", "rprivate"]}


def test_joined_namespaces_are_paths_and_the_shm_is_the_others():
    host = Host(joins={"pid": "/proc/7/ns/pid", "ipc": "/proc/7/ns/ipc"}, shm="/b/donor/shm", bounding=ALL_BITS)
    document = doc(host, pid="container:db", ipc="container:db")
    assert kinds(document)["pid"] == "/proc/7/ns/pid" and kinds(document)["ipc"] == "/proc/7/ns/ipc"
    assert mount(document, "/dev/shm")["source"] == "/b/donor/shm"


def test_shm_size_none_and_shareable():
    assert "size=33554432" in mount(doc(shm_size=32 << 20), "/dev/shm")["options"]
    assert "size=67108864" in mount(doc(), "/dev/shm")["options"]
    assert mount(doc(ipc="none"), "/dev/shm") is None and "ipc" in kinds(doc(ipc="none"))
    shareable = doc(Host(shm="/b/abc/shm", bounding=ALL_BITS), ipc="shareable")
    assert mount(shareable, "/dev/shm")["source"] == "/b/abc/shm" and kinds(shareable)["ipc"] is None


def test_uts_host_conflicts_with_a_hostname():
    with pytest.raises(ContainerInvalid, match="conflicting options: hostname and the UTS mode"):
        doc(uts="host", hostname="web")


def test_a_user_namespace_other_than_the_hosts_is_refused():
    with pytest.raises(ContainerInvalid, match="userns mode `private` is not supported"):
        doc(userns="private")


# --- devices and resources ------------------------------------------------------------------------------

def test_a_device_is_a_node_and_an_allow_rule():
    st = os.stat("/dev/null")
    nodes, rules = devices.from_path(Device("/dev/null", "/dev/mynull", "r"))
    assert nodes == [{"path": "/dev/mynull", "type": "c", "major": 1, "minor": 3, "fileMode": stat.S_IMODE(st.st_mode),
                      "uid": st.st_uid, "gid": st.st_gid}]
    assert rules == [DeviceRule(allow=True, type="c", major=1, minor=3, access="r")]
    with pytest.raises(ContainerInvalid, match='adding custom device "/etc/passwd": not a device node'):
        devices.from_path(Device("/etc/passwd", "/dev/x"))
    with pytest.raises(ContainerInvalid, match='adding custom device "/dev/nosuch"'):
        devices.from_path(Device("/dev/nosuch", "/dev/x"))


def test_device_cgroup_rules_follow_the_defaults():
    rules = devices.cgroup_rules(RunOptions("x", device_cgroup_rules=("c 10:* rw", "b *:* m")), [])
    assert rules == (*DEFAULT_DEVICE_RULES, DeviceRule(True, "c", 10, None, "rw"),
                     DeviceRule(True, "b", None, None, "m"))
    assert devices.cgroup_rules(RunOptions("x", privileged=True), []) == (DeviceRule(True, "a", None, None, "rwm"),)


def test_resources_in_dockers_units():
    res = limits.resources(RunOptions("x", memory="64m", memory_reservation="32m", memory_swap="-1",
                                      memory_swappiness=10, oom_kill_disable=True, cpu_shares=512, cpu_quota=50000,
                                      cpu_period=100000, cpuset_cpus="0", cpuset_mems="0", blkio_weight=300,
                                      pids_limit=50), ())
    oci = res.to_oci()
    assert oci["memory"] == {"limit": 64 << 20, "reservation": 32 << 20, "swap": -1, "swappiness": 10,
                             "disableOOMKiller": True}
    assert oci["cpu"] == {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0", "mems": "0"}
    assert oci["blockIO"] == {"weight": 300} and oci["pids"] == {"limit": 50}


@pytest.mark.parametrize(("options", "message"), [
    ({"memory_swap": "1g"}, "You should always set the Memory limit when using Memoryswap limit"),
    ({"memory": "1g", "memory_swap": "512m"}, "Minimum memoryswap limit should be larger than memory limit"),
    ({"memory": "32m", "memory_reservation": "64m"}, "Minimum memory limit can not be less than memory reservation"),
    ({"memory_swappiness": 101}, "Valid memory swappiness range is 0-100"),
    ({"cpus": 1.0, "cpu_quota": 50000}, "Nano CPUs and CPU Quota cannot both be set"),
    ({"blkio_weight": 5}, "Range of blkio weight is from 10 to 1000"),
    ({"memory": "lots"}, "invalid memory size: 'lots'"),
])
def test_resources_docker_refuses(options, message):
    with pytest.raises(ContainerInvalid, match=message):
        limits.resources(RunOptions("x", **options), ())


def test_cgroup_parent_stays_under_pycompose():
    assert limits.cgroup_path(RunOptions("x"), "abc") == "pycompose/abc"
    assert limits.cgroup_path(RunOptions("x", cgroup_parent="batch/low"), "abc") == "pycompose/batch/low/abc"
    assert limits.cgroup_path(RunOptions("x", cgroup_parent="/pycompose-jobs"), "abc") == "pycompose-jobs/abc"
    with pytest.raises(ContainerInvalid, match="must not climb out"):
        limits.cgroup_path(RunOptions("x", cgroup_parent="../system.slice"), "abc")
