"""Containers run in the foreground of their caller, without the supervisor (a build's RUN steps), on the native
runtime, runc and crun (skipped loudly, by name, when missing): output as it comes, exit codes, start failures
with Docker's words, and a cancelled container killed. No supervisor is started for any of it."""

import threading

import pytest

from engine.containers.errors import ContainerStartFailed
from engine.containers.options import RunOptions
from tests.integration.engine import supervisor_lab

engine_lab = supervisor_lab.engine_lab  # the module's fixture
lab = supervisor_lab.runtime_lab  # each test on native, runc and crun


def created(lab, *command: str):  # type: ignore[no-untyped-def]
    return lab.svc.create(RunOptions(image="busybox", command=command, runtime=lab.runtime, network="none"))


def test_output_and_exit_code_come_back_to_the_caller_and_no_supervisor_starts(lab):
    record = created(lab, "sh", "-c", "echo out; echo err >&2; hostname; exit 3")
    chunks: list[bytes] = []
    assert lab.svc.run_here(record.id, chunks.append) == 3
    lines = b"".join(chunks).decode().splitlines()
    assert sorted(lines[:2]) == ["err", "out"] and lines[2] == record.id[:12]  # two streams, one pipe: any order
    assert lab.svc.supervisor.pid() is None
    assert lab.svc.get(record.id).state == "created"  # the caller removes it
    lab.svc.remove(record.id)
    assert lab.svc.store.list() == []


def test_a_missing_program_raises_dockers_message_with_127(lab):
    record = created(lab, "/no/such/program")
    with pytest.raises(ContainerStartFailed) as failed:
        lab.svc.run_here(record.id, lambda data: None)
    assert failed.value.exit_code == 127
    assert "/no/such/program" in failed.value.message


def test_a_cancelled_container_is_killed(lab):
    record = created(lab, "sh", "-c", "echo started; exec sleep 300")
    started = threading.Event()
    code = lab.svc.run_here(record.id, lambda data: started.set(), cancelled=started.is_set)
    assert code == 137  # SIGKILL, at once: not the 300 s of its sleep
