"""engine.containers.bundle and files: image config + options -> config.json, pure."""

from __future__ import annotations

import pytest

from engine.containers import bundle, files
from engine.containers.bundle import Identity
from engine.containers.errors import ContainerInvalid
from engine.containers.options import RunOptions

IMAGE = {"Entrypoint": ["/entry"], "Cmd": ["serve"], "Env": ["PATH=/opt/bin", "A=image"], "WorkingDir": "/app"}
WHO = Identity(hostname="abc", uid=1000, gid=100, home="/home/u", cgroup="pycompose/abc")


def test_entrypoint_and_cmd_follow_dockers_rules():
    assert bundle.process_args(IMAGE, RunOptions("x")) == ["/entry", "serve"]
    assert bundle.process_args(IMAGE, RunOptions("x", command=("run", "1"))) == ["/entry", "run", "1"]
    assert bundle.process_args(IMAGE, RunOptions("x", entrypoint=("sh",))) == ["sh"]
    assert bundle.process_args(IMAGE, RunOptions("x", entrypoint=("",), command=("ls",))) == ["ls"]
    with pytest.raises(ContainerInvalid, match="no command specified"):
        bundle.process_args({}, RunOptions("x"))


def test_environment_merges_and_adds_defaults():
    env = bundle.environment(IMAGE, RunOptions("x", env=("A=cli", "B=2")), WHO)
    assert env == ["PATH=/opt/bin", "HOSTNAME=abc", "A=cli", "B=2", "HOME=/home/u"]


def test_config_document():
    doc = bundle.config(IMAGE, RunOptions("x", network="host"), WHO, {"/etc/hosts": "/b/hosts"},
                        {"memory": {"limit": 16 << 20}})
    assert doc["process"]["user"] == {"uid": 1000, "gid": 100}
    assert doc["process"]["cwd"] == "/app" and doc["hostname"] == "abc"
    assert {"type": "network"} not in doc["linux"]["namespaces"]
    assert doc["linux"]["cgroupsPath"] == "/pycompose/abc"
    assert doc["linux"]["resources"] == {"memory": {"limit": 16 << 20}}
    assert doc["mounts"][-1] == {"destination": "/etc/hosts", "type": "bind", "source": "/b/hosts",
                                 "options": ["rbind", "rprivate"]}
    assert "/proc/kcore" in doc["linux"]["maskedPaths"]


def test_a_terminal_sets_terminal_console_size_and_term_as_docker():
    doc = bundle.config(IMAGE, RunOptions("x", tty=True, console_size=(33, 101)), WHO, {})
    assert doc["process"]["terminal"] is True
    assert doc["process"]["consoleSize"] == {"height": 33, "width": 101}
    assert "TERM=xterm" in doc["process"]["env"]
    assert bundle.environment(IMAGE, RunOptions("x", tty=True, env=("TERM=vt100",)), WHO).count("TERM=vt100") == 1
    plain = bundle.config(IMAGE, RunOptions("x"), WHO, {})
    assert plain["process"]["terminal"] is False and "consoleSize" not in plain["process"]
    assert not any(e.startswith("TERM=") for e in plain["process"]["env"])


def test_network_namespace_choices():
    assert {"type": "network"} in bundle.namespaces("none")
    assert {"type": "network", "path": "/run/netns/pc1"} in bundle.namespaces("/run/netns/pc1")
    with pytest.raises(ContainerInvalid):
        bundle.namespaces("bridge")


def test_resolv_conf_drops_loopback_servers():
    assert files.resolv_conf("nameserver 127.0.0.53\nsearch lan\n", False) == \
        "search lan\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n"
    assert files.resolv_conf("nameserver 10.0.0.1\n", False) == "nameserver 10.0.0.1\n"
    assert files.resolv_conf("nameserver 127.0.0.53\n", True) == "nameserver 127.0.0.53\n"


def test_users_resolve_against_the_containers_files(tmp_path):
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\nweb:x:33:33::/srv:/bin/false\n")
    (tmp_path / "etc" / "group").write_text("root:x:0:\nstaff:x:50:\n")
    assert files.resolve_user(tmp_path, "web") == (33, 33, "/srv")
    assert files.resolve_user(tmp_path, "web:staff") == (33, 50, "/srv")
    assert files.resolve_user(tmp_path, "1234:5") == (1234, 5, "/")
    with pytest.raises(ContainerInvalid, match="unable to find user nobody"):
        files.resolve_user(tmp_path, "nobody")


def test_seccomp_is_dockers_default_for_the_final_capabilities():
    doc = bundle.config(IMAGE, RunOptions("x"), WHO, {})
    confine = doc["linux"]["seccomp"]
    assert confine["defaultAction"] == "SCMP_ACT_ERRNO"
    allowed = {n for entry in confine["syscalls"] if entry["action"] == "SCMP_ACT_ALLOW" and "args" not in entry
               for n in entry["names"]}
    assert "chroot" in allowed and "mount" not in allowed  # CAP_SYS_CHROOT is in the bounding set, not SYS_ADMIN


def test_seccomp_unconfined_and_from_a_file(tmp_path):
    assert "seccomp" not in bundle.config(IMAGE, RunOptions("x", seccomp="unconfined"), WHO, {})["linux"]
    profile = tmp_path / "p.json"
    profile.write_text('{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], '
                       '"action": "SCMP_ACT_ERRNO"}]}')
    doc = bundle.config(IMAGE, RunOptions("x", seccomp=str(profile)), WHO, {})
    assert doc["linux"]["seccomp"] == {"defaultAction": "SCMP_ACT_ALLOW",
                                       "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}]}
    profile.write_text("[]")
    with pytest.raises(ContainerInvalid, match=f"read seccomp profile `{profile}`"):
        bundle.config(IMAGE, RunOptions("x", seccomp=str(profile)), WHO, {})
