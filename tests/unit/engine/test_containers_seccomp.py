"""engine.containers.seccomp: Docker's default profile and profile files, rendered for a capability set."""

from __future__ import annotations

import json

import pytest

from engine.containers import seccomp
from engine.containers.errors import ContainerInvalid
from engine.containers.seccomp_default import PROFILE
from engine.runtime.capabilities import DOCKER_DEFAULT

CLONE_WITHOUT_NAMESPACES = {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
                            "args": [{"index": 0, "value": 2114060288, "op": "SCMP_CMP_MASKED_EQ"}]}
CLONE3_ENOSYS = {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}


def names(doc: dict) -> set[str]:
    return {name for entry in doc["syscalls"] for name in entry["names"]}


def unconditional(doc: dict) -> set[str]:
    return {name for entry in doc["syscalls"] if entry["action"] == "SCMP_ACT_ALLOW" and "args" not in entry
            for name in entry["names"]}


def test_default_capabilities_get_the_allow_list_and_the_guarded_clone():
    doc = seccomp.render(PROFILE, DOCKER_DEFAULT, arch="amd64", kernel=(6, 1))
    assert doc["defaultAction"] == "SCMP_ACT_ERRNO" and "defaultErrnoRet" not in doc
    assert doc["architectures"] == ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]
    assert CLONE_WITHOUT_NAMESPACES in doc["syscalls"] and CLONE3_ENOSYS in doc["syscalls"]
    allowed = unconditional(doc)
    assert {"read", "execve", "chroot", "arch_prctl", "ptrace"} <= allowed
    assert not {"mount", "umount2", "unshare", "setns", "keyctl", "add_key", "kexec_load", "reboot"} & names(doc)
    personas = [e["args"][0]["value"] for e in doc["syscalls"] if e["names"] == ["personality"]]
    assert personas == [0, 8, 131072, 131080, 4294967295]


def test_cap_sys_admin_unlocks_mount_and_namespaces():
    doc = seccomp.render(PROFILE, [*DOCKER_DEFAULT, "CAP_SYS_ADMIN"], arch="amd64", kernel=(6, 1))
    assert {"mount", "umount2", "unshare", "setns", "clone", "clone3", "bpf"} <= unconditional(doc)
    assert CLONE_WITHOUT_NAMESPACES not in doc["syscalls"] and CLONE3_ENOSYS not in doc["syscalls"]


def test_each_capability_unlocks_its_own_syscalls():
    base = unconditional(seccomp.render(PROFILE, DOCKER_DEFAULT, arch="amd64", kernel=(6, 1)))
    ptrace = {"kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev"}  # ptrace: kernel 4.8
    for cap, unlocked in (("CAP_SYS_PTRACE", ptrace), ("CAP_SYS_BOOT", {"reboot"}),
                          ("CAP_SYS_MODULE", {"init_module", "finit_module", "delete_module"}),
                          ("CAP_SYS_TIME", {"settimeofday", "stime", "clock_settime"})):
        more = unconditional(seccomp.render(PROFILE, [*DOCKER_DEFAULT, cap], arch="amd64", kernel=(6, 1)))
        assert more - base == unlocked, cap


def test_dropping_sys_chroot_drops_chroot():
    bounding = [c for c in DOCKER_DEFAULT if c != "CAP_SYS_CHROOT"]
    assert "chroot" not in names(seccomp.render(PROFILE, bounding, arch="amd64", kernel=(6, 1)))


def test_architecture_and_kernel_conditions():
    arm = seccomp.render(PROFILE, DOCKER_DEFAULT, arch="arm64", kernel=(6, 1))
    assert arm["architectures"] == ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"]
    assert "arch_prctl" not in names(arm) and {"set_tls", "cacheflush"} <= names(arm)
    old = seccomp.render(PROFILE, DOCKER_DEFAULT, arch="amd64", kernel=(4, 4))
    assert "ptrace" not in names(old)


def test_kernel_version_parsing():
    assert seccomp.kernel_version("6.18.44-fc-v1272") == (6, 18)
    assert seccomp.kernel_version("4.8.0-rc1") == (4, 8)


def test_unconfined_and_privileged_get_no_filter():
    assert seccomp.linux_seccomp("unconfined", DOCKER_DEFAULT) is None
    assert seccomp.linux_seccomp(None, DOCKER_DEFAULT, privileged=True) is None
    assert seccomp.linux_seccomp(None, DOCKER_DEFAULT)["defaultAction"] == "SCMP_ACT_ERRNO"


def test_a_profile_file_in_dockers_format(tmp_path):
    path = tmp_path / "deny-mkdir.json"
    path.write_text(json.dumps({
        "defaultAction": "SCMP_ACT_ALLOW", "defaultErrnoRet": 1, "architectures": ["SCMP_ARCH_X86_64"],
        "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
                     {"name": "chroot", "action": "SCMP_ACT_ERRNO", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
                     {"names": ["socket"], "action": "SCMP_ACT_ERRNO",
                      "args": [{"index": 0, "value": 40, "valueTwo": 0, "op": "SCMP_CMP_EQ"}]}]}))
    doc = seccomp.linux_seccomp(str(path), DOCKER_DEFAULT)
    assert doc == {"defaultAction": "SCMP_ACT_ALLOW", "defaultErrnoRet": 1, "architectures": ["SCMP_ARCH_X86_64"],
                   "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
                                {"names": ["socket"], "action": "SCMP_ACT_ERRNO",
                                 "args": [{"index": 0, "value": 40, "op": "SCMP_CMP_EQ"}]}]}


def test_an_empty_profile_disables_seccomp(tmp_path):
    path = tmp_path / "empty.json"
    path.write_text("{}")
    assert seccomp.linux_seccomp(str(path), DOCKER_DEFAULT) is None


@pytest.mark.parametrize(("text", "reason"), [
    ("{not json", "not JSON"),
    ('["a"]', "expected a JSON object"),
    ('{"defaultAction": "SCMP_ACT_MAYBE"}', "defaultAction: unknown action 'SCMP_ACT_MAYBE'"),
    ('{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"action": "SCMP_ACT_ALLOW"}]}',
     "syscalls[0]: names: expected a list of syscall names"),
    ('{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", '
     '"args": [{"index": 7, "value": 1, "op": "SCMP_CMP_EQ"}]}]}', "syscalls[0].args[0].index"),
    ('{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"], "archMap": '
     '[{"architecture": "SCMP_ARCH_X86_64"}]}', "use either one"),
])
def test_a_bad_profile_is_one_error_naming_the_file(tmp_path, text, reason):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(ContainerInvalid, match=f"read seccomp profile `{path}`: ") as caught:
        seccomp.linux_seccomp(str(path), DOCKER_DEFAULT)
    assert reason in caught.value.message


def test_a_missing_profile_file_is_named(tmp_path):
    with pytest.raises(ContainerInvalid, match=r"read seccomp profile `.*nosuch.json`: No such file"):
        seccomp.linux_seccomp(str(tmp_path / "nosuch.json"), DOCKER_DEFAULT)
