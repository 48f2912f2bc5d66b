"""The truth about a record: pid, start time and boot id must all match, or the container is exited."""

import os
import subprocess

from engine.state import ContainerRecord, new_id, observe
from engine.state.liveness import LOST_EXIT_CODE, boot_id, start_time


def running(pid, start, boot=None, **more):
    return ContainerRecord(id=new_id(), name="web-1", state="running", pid=pid, pid_start=start,
                           boot_id=boot or boot_id(), **more)


def test_our_own_process_is_alive():
    record = running(os.getpid(), start_time(os.getpid()))
    assert observe(record) is record


def test_a_reused_pid_is_not_the_same_process():
    truth = observe(running(os.getpid(), start_time(os.getpid()) + 1))
    assert (truth.state, truth.exit_code, truth.pid) == ("exited", LOST_EXIT_CODE, 0)
    assert "no supervisor" in truth.error


def test_another_boot_is_not_the_same_process():
    assert observe(running(os.getpid(), start_time(os.getpid()), boot="another-boot")).state == "exited"


def test_a_finished_process_is_exited():
    child = subprocess.Popen(["true"])
    child.wait()
    assert start_time(child.pid) is None
    assert observe(running(child.pid, 1)).state == "exited"


def test_restarting_is_true_only_while_its_supervisor_lives():
    me = (os.getpid(), start_time(os.getpid()))
    record = ContainerRecord(id=new_id(), name="w", state="restarting", boot_id=boot_id(), supervisor=me)
    assert observe(record) is record
    assert observe(record.replace(supervisor=(me[0], me[1] + 1))).state == "exited"


def test_inactive_records_are_believed():
    record = ContainerRecord(id=new_id(), name="w", state="exited", exit_code=3)
    assert observe(record) is record


def test_comm_with_spaces_and_parentheses(tmp_path):
    script = tmp_path / "a b) (c"
    script.write_text("#!/bin/sh\nread x\n")
    script.chmod(0o755)
    child = subprocess.Popen([str(script)], stdin=subprocess.PIPE)
    try:
        assert start_time(child.pid) is not None
    finally:
        child.communicate(b"\n")
