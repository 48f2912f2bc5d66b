"""Containers run in the foreground of their caller, without the supervisor (a build's RUN steps), on the native
runtime, runc and crun (skipped loudly, by name, when missing): output as it comes, exit codes, start failures
with Docker's words, and a cancelled container killed. No supervisor is started for any of it."""

import shutil
import threading

import pytest

from engine.containers.errors import ContainerStartFailed
from engine.containers.options import RunOptions
from tests.integration.engine import supervisor_lab

engine_lab = supervisor_lab.engine_lab  # the module's fixture


@pytest.fixture(params=["native", "runc", "crun"])
def lab(request, engine_lab):
    if request.param != "native" and shutil.which(request.param) is None:
        pytest.skip(f"{request.param} is not installed")
    engine_lab.runtime = request.param
    yield engine_lab
    for record in engine_lab.svc.store.list():
        engine_lab.svc.remove(record.id, force=True)


def created(lab, *command: str):  # type: ignore[no-untyped-def]
    return lab.svc.create(RunOptions(image="busybox", command=command, runtime=lab.runtime, network="none"))


def test_output_and_exit_code_come_back_to_the_caller_and_no_supervisor_starts(lab):
    record = created(lab, "sh", "-c", "echo out; echo err >&2; hostname; exit 3")
    chunks: list[bytes] = []
    assert lab.svc.run_here(record.id, chunks.append) == 3
    lines = b"".join(chunks).decode().splitlines()
    assert lines[:2] == ["out", "err"] and lines[2] == record.id[:12]
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
