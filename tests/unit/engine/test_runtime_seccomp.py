"""engine.runtime.seccomp: linux.seccomp read, compiled once into a cache, loaded where runc loads it."""

from __future__ import annotations

import os

import pytest

from engine.containers import seccomp as profiles
from engine.containers.seccomp_default import PROFILE
from engine.runtime import capabilities, process, seccomp, spec
from engine.runtime import syscalls as sc
from engine.runtime.errors import BundleInvalid

DENY_MKDIR = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
              "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}


def parsed(doc: dict) -> spec.Seccomp:
    s = spec.from_dict({"process": {"args": ["true"]}, "linux": {"seccomp": doc}}, "/b").seccomp
    assert s is not None
    return s


def test_the_document_is_read_with_a_digest_of_its_content():
    s = parsed(DENY_MKDIR)
    assert s.default_action == "SCMP_ACT_ALLOW" and s.architectures == ("SCMP_ARCH_X86_64", "SCMP_ARCH_X86")
    assert s.syscalls == (spec.Syscall(("mkdir",), "SCMP_ACT_ERRNO", 13),)
    reordered = dict(reversed(list(DENY_MKDIR.items())))
    assert parsed(reordered).digest == s.digest != parsed({**DENY_MKDIR, "defaultAction": "SCMP_ACT_LOG"}).digest
    assert spec.from_dict({"process": {"args": ["true"]}}, "/b").seccomp is None


def test_a_malformed_document_is_a_bundle_error():
    with pytest.raises(BundleInvalid, match="linux.seccomp.defaultAction"):
        parsed({"syscalls": []})
    with pytest.raises(BundleInvalid, match="unsupported action 'SCMP_ACT_NOTIFY'"):
        seccomp.build(parsed({"defaultAction": "SCMP_ACT_NOTIFY"}))
    with pytest.raises(BundleInvalid, match="unknown flag"):
        seccomp.program(parsed({**DENY_MKDIR, "flags": ["SECCOMP_FILTER_FLAG_NOPE"]}), "/nonexistent")


@pytest.mark.skipif(not os.path.exists("/proc/self/ns"), reason="needs Linux")
def test_the_compiled_program_is_cached_and_reused(tmp_path, monkeypatch):
    s = parsed(profiles.render(PROFILE, capabilities.DOCKER_DEFAULT))
    first = seccomp.program(s, str(tmp_path))
    assert first is not None and len(first.program) % 8 == 0 and len(first.program) > 8 * 300
    cached = tmp_path / seccomp.CACHE / (seccomp.cache_key(s) + ".bpf")
    assert cached.read_bytes() == first.program and os.listdir(cached.parent) == [cached.name]

    def no_compiling(_s: spec.Seccomp) -> None:
        raise AssertionError("compiled again")

    monkeypatch.setattr(seccomp, "build", no_compiling)
    assert seccomp.program(s, str(tmp_path)) == first


def test_unknown_syscalls_are_skipped_and_same_argument_conditions_split():
    doc = {"defaultAction": "SCMP_ACT_ERRNO",
           "syscalls": [{"names": ["no_such_syscall", "read"], "action": "SCMP_ACT_ALLOW"},
                        {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
                         "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"},
                                  {"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
                        {"names": ["write"], "action": "SCMP_ACT_ERRNO"}]}  # the default action: skipped
    text = _pfc(seccomp.build(parsed(doc)))
    assert "read" in text and "write" not in text
    assert "personality" in text and text.count("$a0.lo32 == 8") == 1 and text.count("$a0.lo32 == 0") == 1, text


def _pfc(filt) -> str:  # type: ignore[no-untyped-def]
    import tempfile
    with tempfile.TemporaryFile("w+") as f:
        filt.export_pfc(f)
        f.seek(0)
        return f.read()


ALLOW_ALL = seccomp.Filter(b"\x06\x00\x00\x00\x00\x00\xff\x7f")  # BPF_RET ALLOW


@pytest.fixture
def no_user_switch(monkeypatch):
    """process.apply without switching the test's own user (a recorded call instead)."""
    monkeypatch.setattr(process.user, "switch", lambda u: sc.backend().calls.append(("switch", u.uid)))


def test_without_no_new_privileges_the_filter_goes_on_before_the_capabilities(no_user_switch):
    proc = spec.Process(args=("true",), cwd=os.getcwd(), capabilities={"bounding": ("CAP_KILL",)})
    with sc.recording() as calls:
        process.apply(proc, ALLOW_ALL)
        process.confine_late(proc, ALLOW_ALL)
    names = [c[0] for c in calls]
    assert names.count("seccomp_filter") == 1
    assert names.index("seccomp_filter") < names.index("prctl") < names.index("switch")


def test_with_no_new_privileges_the_filter_goes_on_last(no_user_switch):
    confine = ALLOW_ALL
    proc = spec.Process(args=("true",), cwd=os.getcwd(), no_new_privileges=True)
    with sc.recording() as calls:
        process.apply(proc, confine)
        assert ("prctl", sc.PR_SET_NO_NEW_PRIVS, 1, 0) in calls and all(c[0] != "seccomp_filter" for c in calls)
        process.confine_late(proc, confine)
    assert calls[-1] == ("seccomp_filter", confine.program, 0)
