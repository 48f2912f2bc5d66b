"""Terminals, stdin and attached clients through the shared supervisor (host commands: the `process` launcher).

A client attaches over the supervisor's socket (engine.supervisor.attach): with a tty it
sees the pty's bytes and types into it; without one it reads stdcopy frames and writes
the process's stdin. Reads wait on the socket with deadlines, never on the clock.
"""

from __future__ import annotations

import select
import socket
import time

import pytest

from engine.containers.attach import Demux
from tests.integration.engine import supervisor_lab
from tests.waiting import eventually

lab = supervisor_lab.lab  # the fixture


def read_until(sock: socket.socket, wanted: bytes, timeout: float = 10.0, demux: Demux | None = None) -> bytes:
    """Everything read from `sock` (payloads, when framed) until `wanted` appears; fails at the deadline."""
    seen = b""
    deadline = time.monotonic() + timeout
    while wanted not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"timed out waiting for {wanted!r}; got {seen!r}"
        if not select.select([sock], [], [], left)[0]:
            continue
        data = sock.recv(65536)
        assert data, f"the connection ended before {wanted!r}; got {seen!r}"
        seen += b"".join(p for _, p in demux.feed(data)) if demux is not None else data
    return seen


def read_to_end(sock: socket.socket, timeout: float = 10.0) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        assert left > 0, f"the connection did not end; got {seen!r}"
        if select.select([sock], [], [], left)[0]:
            data = sock.recv(65536)
            if not data:
                return seen
            seen += data


def test_a_terminal_is_a_pty_logged_with_crlf_and_typed_into(lab):
    web = lab.create("web-1", "tty; read line; echo got:$line; exit 3", tty=True, open_stdin=True)
    lab.ensure()
    sock, answer = lab.sup.attach(web.id, stdin=True)
    assert (answer["tty"], answer["stdin"]) == (True, True)
    with sock:
        lab.sup.start(web.id)
        assert b"/dev/pts/" in read_until(sock, b"/dev/pts/")
        sock.sendall(b"hello\r")  # the pty's line discipline turns \r into \n, and echoes it
        assert b"got:hello\r\n" in read_until(sock, b"got:hello\r\n")
        read_to_end(sock)  # closed by the supervisor once the process has ended
    assert lab.sup.wait(web.id) == 3
    lines = [e["log"] for e in lab.log("web-1")]
    assert lines[0].startswith("/dev/pts/") and lines[0].endswith("\r\n")
    assert "got:hello\r\n" in lines and all(e["stream"] == "stdout" for e in lab.log("web-1"))


def test_ctrl_c_through_the_pty_is_sigint(lab):
    web = lab.create("web-1", "echo ready; exec sleep 100", tty=True, open_stdin=True)
    lab.ensure()
    sock, _ = lab.sup.attach(web.id, stdin=True)
    with sock:
        lab.sup.start(web.id)
        read_until(sock, b"ready")
        sock.sendall(b"\x03")
        read_to_end(sock)
    assert lab.sup.wait(web.id) == 130


def test_window_size_of_the_pty(lab):
    web = lab.create("web-1", "read x; stty size; read y", tty=True, open_stdin=True)
    lab.ensure()
    sock, _ = lab.sup.attach(web.id, stdin=True)
    with sock:
        lab.sup.start(web.id)
        lab.sup.resize(web.id, 33, 101)
        sock.sendall(b"\r")
        assert b"33 101" in read_until(sock, b"33 101")
        sock.sendall(b"\r")
        read_to_end(sock)
    assert lab.sup.wait(web.id) == 0


def test_stdin_without_a_terminal_ends_with_the_clients_input(lab):
    web = lab.create("web-1", "cat; echo done >&2", open_stdin=True, stdin_once=True)
    lab.ensure()
    sock, answer = lab.sup.attach(web.id, stdin=True)
    assert (answer["tty"], answer["stdin"]) == (False, True)
    demux = Demux()
    with sock:
        lab.sup.start(web.id)
        sock.sendall(b"hello\n")
        sock.shutdown(socket.SHUT_WR)  # our end of input: stdin_once closes the process's
        frames = demux.feed(read_to_end(sock))
    assert lab.sup.wait(web.id) == 0
    assert ("stdout", b"hello\n") in frames and ("stderr", b"done\n") in frames


def test_a_client_without_stdin_only_watches_and_many_clients_see_the_same(lab):
    web = lab.create("web-1", "read line; echo got:$line", open_stdin=True)
    lab.ensure()
    writer, _ = lab.sup.attach(web.id, stdin=True)
    watcher, answer = lab.sup.attach(web.id, stdin=False)
    assert answer["stdin"] is False
    with writer, watcher:
        lab.sup.start(web.id)
        watcher.sendall(b"ignored\n")  # a watcher's bytes go nowhere
        writer.sendall(b"mine\n")
        assert b"got:mine" in read_until(writer, b"got:mine", demux=Demux())
        assert b"got:mine" in read_until(watcher, b"got:mine", demux=Demux())
    assert lab.sup.wait(web.id) == 0


def test_attaching_to_a_running_container_joins_its_output_and_detaching_leaves_it_running(lab):
    web = lab.run("web-1", "while read line; do echo got:$line; done", open_stdin=True)
    first, _ = lab.sup.attach(web.id, stdin=True)
    with first:
        first.sendall(b"one\n")
        read_until(first, b"got:one", demux=Demux())
    assert lab.get("web-1").state == "running"  # a client that goes does not end the process (no stdin_once)
    second, _ = lab.sup.attach(web.id, stdin=True)
    with second:
        second.sendall(b"two\n")
        assert b"got:two" in read_until(second, b"got:two", demux=Demux())
    eventually(lambda: [e["log"] for e in lab.log("web-1")] == ["got:one\n", "got:two\n"], what="both lines logged")
    assert lab.sup.stop(web.id, timeout=5) == 143


@pytest.mark.parametrize(("tty", "how"), [(True, "killed"), (False, "killed"), (True, "shut down")],
                         ids=["terminal-killed", "stdin-killed", "terminal-shutdown"])
def test_a_terminal_or_stdin_outlives_the_supervisor_and_the_next_one_attaches(lab, tty, how):
    import os
    import signal

    from engine.state.liveness import start_time
    from engine.supervisor.client import wait_gone
    from engine.supervisor.keeper import Keeper

    web = lab.run("web-1", "while read line; do echo got:$line; done", tty=tty, open_stdin=True)
    keeper = Keeper.load(os.path.join(lab.run_root, "containers", web.id))
    assert keeper is not None and keeper.kind == ("terminal" if tty else "stdin")
    first = lab.ensure()
    if how == "killed":
        os.kill(first, signal.SIGKILL)  # the pty's master goes with it; the keeper's copy stays
    else:
        lab.sup.shutdown()  # the daemon ends on purpose: its containers run on, to be adopted
    assert wait_gone(first, 10.0)
    record = lab.store.get(web.id)
    lab.ensure()  # a new supervisor adopts the container and takes the terminal back
    sock, answer = lab.sup.attach(web.id, stdin=True)
    with sock:
        assert answer["tty"] is tty
        sock.sendall(b"still here\r" if tty else b"still here\n")
        assert b"got:still here" in read_until(sock, b"got:still here", demux=None if tty else Demux())
    assert start_time(record.pid) == record.pid_start  # the same shell, not hung up
    assert lab.sup.stop(web.id, timeout=5) == 255  # adopted: its exit code was not ours to see
    assert wait_gone(keeper.pid, 10.0)  # the keeper goes once nothing runs to keep it for


def test_a_client_that_reads_late_loses_nothing_the_container_waits_for_it(lab):
    import os

    from engine.supervisor.attach import BACKLOG

    size = 8 * BACKLOG  # far more than the pipe, the socket and the backlog hold together
    web = lab.create("web-1", f"head -c {size} /dev/zero; echo; echo end")
    lab.ensure()
    sock, _ = lab.sup.attach(web.id)
    with sock:
        lab.sup.start(web.id)
        log = lab.store.log_path(web.id)
        eventually(lambda: os.path.exists(log) and os.path.getsize(log) > BACKLOG,
                   what="a backlog for our client, unread")
        assert lab.get("web-1").state == "running"  # held back until we read, not finished without us
        data = b"".join(payload for _, payload in Demux().feed(read_to_end(sock, timeout=60)))
    assert data == b"\0" * size + b"\nend\n"
    assert lab.sup.wait(web.id) == 0
