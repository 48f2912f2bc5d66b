"""`python -S -m engine.supervisor pycompose-supervisor --state-root S --run-root R`: start the daemon.

The first process forks; the child calls setsid and forks again, so the daemon is
no session leader, has no terminal, and outlives whoever started it. The first
process exits 0 once the daemon listens on its socket (or 1 with the reason), so
the client knows when to connect. The daemon's own errors go to <run root>/supervisor.log.

The grandchild makes itself a child subreaper (the containers' processes are
reparented to it once their creators exit) and then execs a fresh interpreter for
the daemon (`--ready-fd N`): the flag survives execve, and ctypes, needed for the
prctl, does not weigh on the daemon for its whole life (about 0.5 MB of PSS).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str]) -> int:
    args = dict(zip(argv[1::2], argv[2::2], strict=False))
    state_root, run_root = args["--state-root"], args["--run-root"]
    if "--ready-fd" in args:
        return serve(state_root, run_root, int(args["--ready-fd"]))
    ready_r, ready_w = os.pipe()
    if os.fork():
        os.close(ready_w)
        with os.fdopen(ready_r, "rb") as f:
            answer = f.read()
        if answer == b"ready":
            return 0
        sys.stderr.write(answer.decode(errors="replace") + "\n")
        return 3 if answer.startswith(b"already") else 1
    os.close(ready_r)
    os.setsid()
    if os.fork():
        os._exit(0)
    try:
        from engine.supervisor.subreaper import become_subreaper

        become_subreaper()
        os.set_inheritable(ready_w, True)
        os.execv(sys.executable, [sys.executable, "-S", "-m", "engine.supervisor", argv[0], "--state-root",
                                  state_root, "--run-root", run_root, "--ready-fd", str(ready_w)])
    except Exception as e:  # noqa: BLE001 (reported to the starter, which raises it)
        os.write(ready_w, f"{type(e).__name__}: {e}".encode())
    os._exit(1)


def serve(state_root: str, run_root: str, ready_w: int) -> int:
    """The daemon, in the exec'd interpreter: tell the starter on `ready_w`, then serve."""
    os.set_inheritable(ready_w, False)
    try:
        os.chdir("/")
        os.makedirs(run_root, exist_ok=True)
        null = os.open(os.devnull, os.O_RDWR)
        out = os.open(os.path.join(run_root, "supervisor.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.dup2(null, 0)
        os.dup2(out, 1)
        os.dup2(out, 2)
        from engine.supervisor.daemon import AlreadyRunning, Daemon

        try:
            daemon = Daemon(state_root, run_root)
        except AlreadyRunning as e:
            os.write(ready_w, f"already running: {e}".encode())
            os._exit(0)
        daemon.adopt_all()
    except Exception as e:  # noqa: BLE001 (reported to the starter, which raises it)
        os.write(ready_w, f"{type(e).__name__}: {e}".encode())
        os._exit(1)
    os.write(ready_w, b"ready")
    os.close(ready_w)
    daemon.run()
    # Gone at once, without the interpreter's teardown (some 20 ms): nothing is left to flush but the standard
    # streams, and `down` waits for this process to be gone before it returns.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
