"""The `pycompose` executable's front: hand the command to a warm CLI server, or run it here.

A command line spends most of a short command's time importing (typer, the engine, networkx,
pyroute2: 100-250 ms) before it does any work. A warm server (`compose.cli.warm_server`)
has imported everything once; for each command it forks a child that runs the command with
this process's arguments, environment, working directory, umask and standard streams (passed
as file descriptors), so the command writes to our terminal or pipes itself. We wait for its
exit status and exit with it; signals sent to us (Ctrl-C, SIGTERM, a window resize) are sent on
to it, Ctrl-Z stops it with us (and `fg` resumes both), and if we are killed the server kills
it, so the child lives exactly as long as a command run here would.

When no server answers, the command runs here as it always did, and a server is started in
the background for the next command. It leaves by itself after `PYCOMPOSE_WARM_IDLE` seconds
without work (default 60), and as soon as a source file it loaded changes. `PYCOMPOSE_WARM=0`
turns all of this off; `PYCOMPOSE_WARM_DIR` moves its socket (default /run/pycompose-cli). Only
root uses it, and only when the three standard streams are open.

This module runs before anything else, so its hot path imports only modules written in C
(`posix`, `_socket` and `_signal` rather than `os`, `socket` and `signal`, which cost 2-10 ms):
its whole cost is about 1 ms. A request is bytes, NUL-separated, which no argument, variable or
path can contain (`encode_request`).
"""

import _signal
import _socket
import posix
import sys

DEFAULT_DIR = "/run/pycompose-cli"
FS = sys.getfilesystemencoding()
IDLE_SECONDS = 60  # a burst of commands stays warm; a host running containers keeps no ~70 MB server for long
FORWARDED = (_signal.SIGINT, _signal.SIGTERM, _signal.SIGHUP, _signal.SIGQUIT, _signal.SIGWINCH, _signal.SIGUSR1,
             _signal.SIGUSR2)


def socket_path(directory: str) -> str:
    """One server per interpreter and import path: a server never runs another installation's code."""
    key = 0x811C9DC5
    for byte in "\0".join([sys.executable, *sys.path]).encode():  # FNV-1a: no module to import for it
        key = ((key ^ byte) * 0x01000193) & 0xFFFFFFFF
    return f"{directory.rstrip('/')}/pycompose-cli-{posix.getuid()}-{key:08x}.sock"


def main() -> None:
    environ = posix.environ
    directory = environ.get(b"PYCOMPOSE_WARM_DIR", DEFAULT_DIR.encode()).decode(FS, "surrogateescape")
    if environ.get(b"PYCOMPOSE_WARM", b"1") != b"0" and posix.geteuid() == 0 and _streams_open():
        path = socket_path(directory)
        status = _delegate(path)
        if status is not None:
            _exit_like(status)
        _start_server(path)
    from compose.cli.main import main as run_here

    run_here()


def stop_servers(directory: str, timeout: float = 10.0) -> None:
    """Stop the servers listening in `directory` (SIGTERM: each stops listening, removes its socket and leaves), and
    wait until they are gone: what a benchmark or a test that gave its own PYCOMPOSE_WARM_DIR does at its end."""
    import os
    import time

    mark = os.fsencode(os.path.join(directory, "pycompose-cli-"))
    servers = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except (OSError, ValueError):
            continue
        if entry.isdigit() and any(arg.startswith(mark) for arg in argv):
            servers.append(int(entry))
    for pid in servers:
        try:
            # Normal priority first: a server's spare child may be at idle priority, where on a busy host even
            # its exit waits for an idle CPU (and the server waits for it).
            os.sched_setscheduler(pid, os.SCHED_OTHER, os.sched_param(0))
            os.kill(pid, _signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    while any(os.path.exists(f"/proc/{pid}") for pid in servers) and time.monotonic() < deadline:
        time.sleep(0.01)


def wait_for_server(directory: str, timeout: float = 30.0) -> None:
    """Until a server listens in `directory` (the first command starts it in the background): what a benchmark
    does before it measures, as it starts dockerd before it measures docker."""
    import os
    import time

    deadline = time.monotonic() + timeout
    while not any(name.endswith(".sock") for name in os.listdir(directory)) if os.path.isdir(directory) else True:
        if time.monotonic() > deadline:
            raise TimeoutError(f"no warm CLI server listens in {directory} after {timeout:.0f} s")
        time.sleep(0.05)


def _streams_open() -> bool:
    try:
        for fd in (0, 1, 2):
            posix.fstat(fd)
    except OSError:
        return False
    return True


def encode_request(argv: list[bytes], cwd: bytes, umask: int, environ: dict[bytes, bytes]) -> bytes:
    """argv count, argv, cwd, umask, then NAME=value pairs; each field ends with NUL, the whole with an empty one."""
    fields = [b"%d" % len(argv), *argv, cwd, b"%d" % umask, *(name + b"=" + value for name, value in environ.items())]
    return b"".join(field + b"\0" for field in fields) + b"\0"


def decode_request(data: bytes) -> tuple[list[str], str, int, dict[str, str]]:
    import os

    fields = [os.fsdecode(field) for field in data.removesuffix(b"\0\0").split(b"\0")]
    count = int(fields[0])
    argv, (cwd, umask), pairs = fields[1:1 + count], fields[1 + count:3 + count], fields[3 + count:]
    return argv, cwd, int(umask), dict(pair.split("=", 1) for pair in pairs)


def _delegate(path: str) -> str | None:
    """Run the command in a child of the server; its status line ("exit N", "signal N"), or None when no server
    took it (none listening, or it is stale)."""
    conn = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        conn.connect(path)
        umask = posix.umask(0)
        posix.umask(umask)
        argv = [arg.encode(FS, "surrogateescape") for arg in sys.argv]
        request = encode_request(argv, posix.getcwdb(), umask, posix.environ)
        fds = b"".join(fd.to_bytes(4, sys.byteorder) for fd in (0, 1, 2))
        conn.sendmsg([request], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, fds)])
        replies = _Lines(conn)
        reply = replies.next()
    except OSError:
        conn.close()
        return None
    if reply.startswith("pid "):
        child = int(reply.split()[1])
        for sig in FORWARDED:
            _signal.signal(sig, lambda signum, _frame: _forward(child, signum))
        _signal.signal(_signal.SIGTSTP, lambda _signum, _frame: _suspend(child))
        _signal.signal(_signal.SIGCONT, lambda _signum, _frame: _forward(child, _signal.SIGCONT))
        try:
            reply = replies.next()
        except OSError:
            reply = ""
    elif not reply.startswith(("exit ", "signal ")):  # "stale", or nothing: not taken
        conn.close()
        return None
    conn.close()
    return reply or "lost"


def _suspend(child: int) -> None:
    """Ctrl-Z: the command stops, and so do we, as one process would; `fg` (SIGCONT) resumes us, and we it. (SIGSTOP
    for the command: it leads a session of its own, and the kernel drops a SIGTSTP sent to such an orphaned group.)"""
    _forward(child, _signal.SIGSTOP)
    posix.kill(posix.getpid(), _signal.SIGSTOP)


def _forward(child: int, signum: int) -> None:
    try:
        posix.kill(child, signum)
    except ProcessLookupError:
        pass


class _Lines:
    """The server's answers, a line each: "pid N" (or "stale"), then "exit N" or "signal N" (the command's own
    "exit N" and the server's may both come, and "exit N" before "pid N": the first status is the one)."""

    def __init__(self, conn: _socket.socket):
        self.conn, self.data = conn, b""

    def next(self) -> str:
        while b"\n" not in self.data:
            while True:
                try:
                    chunk = self.conn.recv(256)
                    break
                except InterruptedError:  # a forwarded signal; PEP 475 retries, this is for clarity
                    continue
            if not chunk:
                line, self.data = self.data, b""
                return line.decode().strip()
            self.data += chunk
        line, _, self.data = self.data.partition(b"\n")
        return line.decode().strip()


def _exit_like(status: str) -> None:
    """Exit as the child did: with its code, or killed by its signal."""
    kind, _, number = status.partition(" ")
    if kind == "exit":
        posix._exit(int(number))
    if kind == "signal":
        signum = int(number)
        _signal.signal(signum, _signal.SIG_DFL)
        posix.kill(posix.getpid(), signum)
        posix._exit(128 + signum)
    sys.stderr.write("pycompose: the warm CLI server went away while the command ran\n")
    posix._exit(1)


def _start_server(path: str) -> None:
    """A server for the next command, detached (its own session, not our child); it loses a race to another quietly."""
    try:  # (the server makes its directory)
        first = posix.fork()
    except OSError:
        return
    if first:
        posix.waitpid(first, 0)
        return
    try:
        posix.setsid()
        if posix.fork():
            posix._exit(0)
        devnull = posix.open("/dev/null", posix.O_RDWR)
        for fd in (0, 1, 2):
            posix.dup2(devnull, fd)
        posix.closerange(3, 1 << 16)
        argv = [sys.executable, "-S", "-c", "import sys; sys.path[:0] = sys.argv[2:]; "
                "from compose.cli.warm_server import serve; serve(sys.argv[1])", path, *sys.path]
        posix.execv(sys.executable, argv)
    finally:
        posix._exit(1)


if __name__ == "__main__":
    main()
