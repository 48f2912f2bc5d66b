"""A container run to its end by its caller, without the supervisor: a build's RUN steps, whose containers live
no longer than the build that makes them.

    code = foreground.run(record, on_output=sink.write, cancelled=lambda: stopping)

The caller forks a runner (a session of its own; the container's stdout and stderr are a pipe back to the
caller): the native runtime's `run` inside it (the container's process is the runner's child, so no daemon
has to reap it), or `runc run` / `crun run`. The caller reads the output as it comes and, when `cancelled()`
turns true, kills the container. A container that could not start raises ContainerStartFailed with the
runtime's reason, as `start` does. Neither the supervisor nor a log file is involved: a one-file rebuild
does not pay for starting and stopping the daemon.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
from collections.abc import Callable

from engine.containers import launcher
from engine.containers.errors import ContainerStartFailed
from engine.state.record import ContainerRecord
from engine.supervisor.launcher import Stdio, detach

POLL = 0.05  # seconds between looks at `cancelled` while the container is silent


def run(record: ContainerRecord, on_output: Callable[[bytes], None],
        cancelled: Callable[[], bool] = lambda: False) -> int:
    """Run the (created, prepared) container to its end; its exit code (128+n when signal n ended it)."""
    launch = record.config.launch
    error = os.path.join(launch["bundle"], launcher.ERROR_FILE)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(error)
    native = launch.get("runtime", "native") == "native"
    if native:
        import engine.runtime.launch  # noqa: F401 - here, once a build: not again in every runner
    work = launcher.run_native if native else launcher.run_cli
    read, write = os.pipe()
    try:
        runner = detach(lambda: work(launch), Stdio(-1, write, write))
    finally:
        os.close(write)
    try:
        _follow(read, launch, on_output, cancelled)
    finally:
        os.close(read)
        _, status = os.waitpid(runner, 0)
    code = os.waitstatus_to_exitcode(status)
    if os.path.exists(error):
        with open(error) as f:
            raise ContainerStartFailed("failed to create task for container: unable to start container process: "
                                       f"{f.read().strip()}", exit_code=code if code > 0 else 1)
    return code if code >= 0 else 128 - code


def _follow(read: int, launch: dict, on_output: Callable[[bytes], None], cancelled: Callable[[], bool]) -> None:
    """The output until every writer has gone (the container's processes end with its PID 1)."""
    killed = False
    while True:
        ready, _, _ = select.select([read], [], [], POLL)
        if ready:
            data = os.read(read, 65536)
            if not data:
                return
            on_output(data)
        elif not killed and cancelled():
            pid = launcher.container_pid(launch)  # none yet: the next look, once the runtime has written it
            if pid:
                killed = True
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
