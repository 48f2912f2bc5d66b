"""engine.containers.flags: Docker's spellings of the container options, with Docker's messages."""

from __future__ import annotations

import pytest

from engine.containers import flags
from engine.containers.errors import ContainerInvalid
from engine.containers.options import Device, Ulimit
from engine.state.record import LogConfig


def test_ulimits_take_one_or_two_values():
    assert flags.ulimit("nofile=1024:2048") == Ulimit("nofile", 1024, 2048)
    assert flags.ulimit("nproc=64") == Ulimit("nproc", 64, 64)
    assert flags.ulimit("core=-1") == Ulimit("core", -1, -1)


@pytest.mark.parametrize(("spec", "message"), [
    ("nofile", "invalid ulimit argument: nofile"),
    ("files=1", "invalid ulimit type: files"),
    ("nofile=1:2:3", "too many limit value arguments"),
    ("nofile=2048:1024", "ulimit soft limit must be less than or equal to hard limit: 2048 > 1024"),
    ("nofile=lots", "invalid ulimit value"),
])
def test_bad_ulimits_are_named(spec, message):
    with pytest.raises(ContainerInvalid, match=message):
        flags.ulimit(spec)


def test_devices_as_docker_reads_them():
    assert flags.device("/dev/fuse") == Device("/dev/fuse", "/dev/fuse", "rwm")
    assert flags.device("/dev/fuse:r") == Device("/dev/fuse", "/dev/fuse", "r")
    assert flags.device("/dev/fuse:/dev/f") == Device("/dev/fuse", "/dev/f", "rwm")
    assert flags.device("/dev/fuse:/dev/f:rw") == Device("/dev/fuse", "/dev/f", "rw")
    with pytest.raises(ContainerInvalid, match="bad mode specified: rx"):
        flags.device("/dev/fuse:/dev/f:rx")
    with pytest.raises(ContainerInvalid, match="dev/f is not an absolute path"):
        flags.device("/dev/fuse:dev/f")
    with pytest.raises(ContainerInvalid, match="bad format for path"):
        flags.device("/a:/b:r:w")


def test_device_cgroup_rules_follow_dockers_format():
    assert flags.device_cgroup_rule("c 1:3 rwm") == "c 1:3 rwm"
    assert flags.device_cgroup_rule("a *:* m") == "a *:* m"
    with pytest.raises(ContainerInvalid, match="invalid device cgroup format 'c 1 rwm'"):
        flags.device_cgroup_rule("c 1 rwm")


def test_sysctls_are_the_namespaced_ones_the_cli_allows():
    assert flags.sysctls(["net.ipv4.ip_forward=1", "kernel.shmmax=1024", "fs.mqueue.msg_max=20"]) == {
        "net.ipv4.ip_forward": "1", "kernel.shmmax": "1024", "fs.mqueue.msg_max": "20"}
    with pytest.raises(ContainerInvalid, match="sysctl 'kernel.panic=1' is not allowed"):
        flags.sysctls(["kernel.panic=1"])
    with pytest.raises(ContainerInvalid, match="is not allowed"):
        flags.sysctls(["net.ipv4.ip_forward"])


def test_security_opts():
    fields, warnings = flags.security_opts(["no-new-privileges", "seccomp=unconfined", "label=disable",
                                            "apparmor=unconfined"])
    assert fields == {"no_new_privileges": True, "seccomp": "unconfined"}
    assert len(warnings) == 2 and "SELinux" in warnings[0] and "AppArmor" in warnings[1]
    assert flags.security_opts(["no-new-privileges:false"])[0] == {"no_new_privileges": False}
    assert flags.security_opts(["no-new-privileges=true"])[0] == {"no_new_privileges": True}
    assert flags.security_opts(["seccomp=/etc/profile.json"])[0] == {"seccomp": "/etc/profile.json"}
    assert flags.security_opts(["systempaths=unconfined"])[0] == {"system_paths_unconfined": True}
    with pytest.raises(ContainerInvalid, match="invalid --security-opt 2: 'no-new-privileges=maybe'"):
        flags.security_opts(["no-new-privileges=maybe"])
    with pytest.raises(ContainerInvalid, match="invalid --security-opt 1: 'whatever'"):
        flags.security_opts(["whatever"])
    with pytest.raises(ContainerInvalid, match="invalid --security-opt 2"):
        flags.security_opts(["mask=/proc"])


def test_log_config_as_the_json_file_driver_reads_it():
    assert flags.log_config("json-file", {}) == LogConfig()
    assert flags.log_config("json-file", {"max-size": "10m", "max-file": "3"}) == LogConfig(10_000_000, 3)
    assert flags.log_config("local", {}) == LogConfig(20 << 20, 5, "local")
    assert flags.log_config("local", {"max-file": "2"}) == LogConfig(20 << 20, 2, "local")
    assert flags.log_config("none", {}) == LogConfig(driver="none")


@pytest.mark.parametrize(("driver", "opts", "message"), [
    ("syslog", {}, "logging driver `syslog` is not supported"),
    ("none", {"max-size": "1m"}, "invalid logging opts for driver none"),
    ("json-file", {"max-age": "1"}, "unknown log opt 'max-age' for json-file log driver"),
    ("json-file", {"max-size": "0"}, "max-size must be a positive number"),
    ("json-file", {"max-file": "0"}, "max-file cannot be less than 1"),
    ("json-file", {"max-size": "big"}, "invalid size: 'big'"),
])
def test_bad_log_configs_are_refused(driver, opts, message):
    with pytest.raises(ContainerInvalid, match=message):
        flags.log_config(driver, opts)


def test_expose_lists_each_port_once():
    assert flags.expose(["80", "53/udp", "8000-8002", "80/tcp"]) == (
        "80/tcp", "53/udp", "8000/tcp", "8001/tcp", "8002/tcp")
    with pytest.raises(ContainerInvalid, match="invalid port format for --expose: 80:80"):
        flags.expose(["80:80"])


def test_namespace_modes_are_checked_and_defaulted():
    assert flags.modes() == {"ipc": "private", "pid": "", "uts": "", "cgroupns": "private", "userns": ""}
    assert flags.modes(ipc="container:db", pid="host", uts="host", cgroupns="host", userns="host")["ipc"] == \
        "container:db"
    for kwargs, message in (({"ipc": "shared"}, "--ipc: invalid IPC mode"), ({"pid": "private"}, "--pid: invalid"),
                            ({"uts": "container:x"}, "--uts: invalid UTS mode"),
                            ({"cgroupns": "x"}, "--cgroupns: invalid CGROUP mode"),
                            ({"userns": "private"}, "--userns: invalid USER mode"),
                            ({"ipc": "container:"}, "--ipc: invalid IPC mode")):
        with pytest.raises(ContainerInvalid, match=message):
            flags.modes(**kwargs)


def test_device_rates():
    assert flags.device_rate("/dev/sda:1mb", "--device-read-bps") == ("/dev/sda", "1mb")
    assert flags.device_rate("/dev/sda:100", "--device-write-iops", numeric=True) == ("/dev/sda", "100")
    with pytest.raises(ContainerInvalid, match="invalid value for --device-write-iops: '/dev/sda:fast'"):
        flags.device_rate("/dev/sda:fast", "--device-write-iops", numeric=True)
    with pytest.raises(ContainerInvalid, match="invalid value for --device-read-bps: 'sda:1mb'"):
        flags.device_rate("sda:1mb", "--device-read-bps")


def test_add_host():
    assert flags.add_host("db:10.0.0.5") == ("db", "10.0.0.5")
    assert flags.add_host("v6:::1") == ("v6", "::1")
    assert flags.add_host("db=10.0.0.5") == ("db", "10.0.0.5")
    with pytest.raises(ContainerInvalid, match="bad format for add-host"):
        flags.add_host("db")
