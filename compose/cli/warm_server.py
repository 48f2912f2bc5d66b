"""The warm CLI server: pycompose imported once, a forked child per command (see `compose.cli.warm`).

One process, one thread, one selector. A connection brings one request (argv, cwd, environment,
umask) with the client's standard streams attached as file descriptors. The server forks; the
child takes the streams as its 0, 1 and 2, the directory, environment and umask, and runs
`compose.cli.main.main` exactly as the executable would. The server answers
"pid N" at once and "exit N" or "signal N" when the child ends. A client that goes away (killed)
takes its child with it: SIGKILL, as if the command had been running in the killed process.
The children are the server's own: it reaps them through their pidfds.

A server watches the source files it imported (inotify on their directories, else a stat of each
before every command): once one changes, it stops listening and leaves once its children are done.
A command that comes just then is answered "stale", and its client runs it itself (and starts a
fresh server). It also leaves after `IDLE_SECONDS` with
no command (`PYCOMPOSE_WARM_IDLE`). A lock file beside the socket keeps to one server per socket; a
server that leaves removes its socket, its lock file and the directory once empty.
"""

from __future__ import annotations

import fcntl
import gc
import importlib
import os
import pkgutil
import selectors
import signal
import socket
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field

from compose.cli.warm import IDLE_SECONDS, decode_request

PACKAGES = ("pycompose", "compose", "netplan", "engine")
# What pycompose's modules import only inside the functions that need them (networkx: 100-250 ms)
LAZY_DEPENDENCIES = ("networkx", "yaml", "pyroute2", "tenacity", "httpx", "zstandard", "pyseccomp")
REQUEST_LIMIT = 4 << 20  # an environment of megabytes is not a command's


@dataclass(frozen=True)
class Request:
    """What the client is: its command line, working directory, umask and environment."""

    argv: list[str]
    cwd: str
    umask: int
    env: dict[str, str]


@dataclass
class Running:
    """A command being run: its client's connection and the child running it."""

    conn: socket.socket
    pid: int
    pidfd: int


@dataclass
class Server:
    path: str
    lock: int
    listener: socket.socket
    sources: dict[str, int]
    watch: Watch | None = None
    selector: selectors.BaseSelector = field(default_factory=selectors.DefaultSelector)
    running: dict[int, Running] = field(default_factory=dict)  # by pidfd
    clients: dict[int, Running] = field(default_factory=dict)  # by connection fd
    idle: float = IDLE_SECONDS
    last_work: float = field(default_factory=time.monotonic)
    listening: bool = True


def serve(path: str) -> None:
    lock = _lock(path + ".lock")
    if lock is None:
        return  # another server has it, or has just left and removed it: the next command starts one
    os.chdir("/")
    _import_everything()
    gc.freeze()  # what is imported now lives on: children neither scan it nor copy its pages to do so
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    os.chmod(path, 0o600)
    listener.listen(64)
    server = Server(path, lock, listener, _sources(), idle=float(os.environ.get("PYCOMPOSE_WARM_IDLE") or IDLE_SECONDS))
    server.selector.register(listener, selectors.EVENT_READ, "listener")
    server.watch = Watch.of(server.sources)
    if server.watch is not None:
        server.selector.register(server.watch.fd, selectors.EVENT_READ, "sources")
    if _stale(server.sources):  # changed while it was imported, before the watch began
        _stop_listening(server)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # stopped: the socket goes, see below
    try:
        _loop(server)
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # leaving already: let nothing cut the cleaning short
        _stop_listening(server)


def _import_everything() -> None:
    """Every module of pycompose's packages and of the dependencies they import lazily, so that no command imports
    anything (a module that fails to import is left for the command that needs it to report)."""
    importlib.import_module("compose.cli.main").make_all_commands()
    modules = [info.name for package in PACKAGES
               for info in pkgutil.walk_packages(importlib.import_module(package).__path__, prefix=package + ".")
               if not info.name.endswith("__main__")]
    for name in [*modules, *LAZY_DEPENDENCIES]:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - see the docstring
            continue


def _sources() -> dict[str, int]:
    """The files of the modules imported now, with their modification times."""
    found = {}
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if path:
            try:
                found[path] = os.stat(path).st_mtime_ns
            except OSError:
                continue
    return found


class Watch:
    """inotify on the directories of the server's source files: a change is known without a stat of each file (1,200
    of them: 6 ms a command). Where inotify cannot be had, each command stats them instead (`_stale`)."""

    MASK = 0x2 | 0x4 | 0x8 | 0x40 | 0x80 | 0x100 | 0x200  # modify, attrib, close_write, moved from/to, create, delete
    SUFFIXES = (".py", ".pyc", ".so", ".pth")

    def __init__(self, fd: int, directories: dict[int, str], sources: dict[str, int]):
        self.fd, self.directories, self.sources = fd, directories, sources

    @classmethod
    def of(cls, sources: dict[str, int]) -> Watch | None:
        import ctypes

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        except (OSError, AttributeError):
            return None
        if fd < 0:
            return None
        directories = {}
        for directory in sorted({os.path.dirname(path) for path in sources}):
            wd = libc.inotify_add_watch(fd, os.fsencode(directory), cls.MASK)
            if wd < 0:
                os.close(fd)
                return None
            directories[wd] = directory
        return cls(fd, directories, sources)

    def changed(self) -> bool:
        """Whether one of the sources (or a module beside them) changed since the last look."""
        import struct

        changed = False
        while True:
            try:
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                return changed
            offset = 0
            while offset + 16 <= len(data):
                wd, _mask, _cookie, size = struct.unpack_from("iIII", data, offset)
                name = data[offset + 16:offset + 16 + size].rstrip(b"\0").decode(errors="replace")
                offset += 16 + size
                path = os.path.join(self.directories.get(wd, ""), name)
                changed = changed or path in self.sources or name.endswith(self.SUFFIXES)


def _changed(server: Server) -> bool:
    """Whether a source of the server changed: asked of its watch, else of each file."""
    return server.watch.changed() if server.watch is not None else _stale(server.sources)


def _stale(sources: dict[str, int]) -> bool:
    for path, mtime in sources.items():
        try:
            if os.stat(path).st_mtime_ns != mtime:
                return True
        except OSError:
            return True
    return False


def _loop(server: Server) -> None:
    while server.listening or server.running:
        idle = server.idle - (time.monotonic() - server.last_work)
        if server.listening and not server.running and idle <= 0:
            return
        for key, _ in server.selector.select(timeout=max(idle, 0.1) if not server.running else None):
            if key.data == "listener":
                _accept(server)
            elif key.data == "sources":
                if _changed(server):
                    _stop_listening(server)  # a source changed: the next command starts a server with it
            elif key.data == "client":
                _client_spoke(server, key.fileobj)  # type: ignore[arg-type]
            else:
                _child_ended(server, key.fileobj)  # type: ignore[arg-type]


def _accept(server: Server) -> None:
    conn, _ = server.listener.accept()
    server.last_work = time.monotonic()
    try:
        if not _same_user(conn):
            conn.close()
            return
        request, fds = _request(conn)
    except (OSError, ValueError):
        conn.close()
        return
    try:
        if len(fds) != 3:
            conn.close()
            return
        if _changed(server):
            _stop_listening(server)  # first: the client that hears "stale" starts the next server, which needs the lock
            conn.sendall(b"stale\n")
            conn.close()
            return
        pid = os.fork()
        if pid == 0:
            _child(request, fds)  # never returns
        pidfd = os.pidfd_open(pid)
    finally:
        for fd in fds:
            os.close(fd)
    running = Running(conn, pid, pidfd)
    server.running[pidfd] = running
    server.clients[conn.fileno()] = running
    server.selector.register(pidfd, selectors.EVENT_READ, "child")
    server.selector.register(conn, selectors.EVENT_READ, "client")
    conn.sendall(f"pid {pid}\n".encode())


def _same_user(conn: socket.socket) -> bool:
    import struct

    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return uid == os.getuid()


def _request(conn: socket.socket) -> tuple[Request, list[int]]:
    data, fds, _flags, _addr = socket.recv_fds(conn, 1 << 16, 3)
    if not data:
        raise ValueError("no request")
    while not data.endswith(b"\0\0"):
        chunk = conn.recv(1 << 16)
        if not chunk or len(data) > REQUEST_LIMIT:
            for fd in fds:
                os.close(fd)
            raise ValueError("incomplete request")
        data += chunk
    return Request(*decode_request(data)), fds


def _client_spoke(server: Server, conn: socket.socket) -> None:
    """A client only ever closes its end: it was killed, and so is the command it was running."""
    running = server.clients[conn.fileno()]
    try:
        os.kill(running.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    server.selector.unregister(conn)


def _child_ended(server: Server, pidfd: int) -> None:
    running = server.running.pop(pidfd)
    server.selector.unregister(pidfd)
    os.close(pidfd)
    _pid, status = os.waitpid(running.pid, 0)
    if running.conn.fileno() in server.clients:
        del server.clients[running.conn.fileno()]
        try:
            server.selector.unregister(running.conn)
        except KeyError:
            pass
    reply = f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"exit {os.WEXITSTATUS(status)}"
    try:
        running.conn.sendall(reply.encode() + b"\n")
    except OSError:
        pass
    running.conn.close()
    server.last_work = time.monotonic()


def _lock(path: str) -> int | None:
    """The server's lock, or None when another server holds it. The file goes with the server that held it (a host
    keeps nothing of a server gone), so a lock won on a file already removed is no lock: given up as well."""
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)  # a server leaving may just have removed it
    try:
        lock = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        if os.stat(path).st_ino == os.fstat(lock).st_ino:
            return lock
    except (BlockingIOError, FileNotFoundError):
        pass
    os.close(lock)
    return None


def _stop_listening(server: Server) -> None:
    """Step by step, each done once: a SIGTERM may cut it short, and the server's end runs it again to finish."""
    if server.listening:
        server.listening = False
        server.selector.unregister(server.listener)
        server.listener.close()
    if server.lock >= 0:
        for path in (server.path, server.path + ".lock"):
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
        lock, server.lock = server.lock, -1
        os.close(lock)  # the next server may start while this one finishes its commands
        try:
            os.rmdir(os.path.dirname(server.path))  # the directory too, when no other server's socket is in it
        except OSError:
            pass


def _child(request: Request, fds: list[int]) -> None:
    """Become the command: the client's streams, directory, environment and umask, then pycompose's main."""
    code = 1
    try:
        os.setsid()
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        os.closerange(3, 1 << 16)
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD, signal.SIGQUIT):
            signal.signal(sig, signal.SIG_DFL)  # Ctrl-C before the command runs ends it as it ends Python's start
        os.chdir(request.cwd)
        os.environ.clear()
        os.environ.update(request.env)
        os.umask(request.umask)
        sys.argv = request.argv
        _reopen_streams()
        code = _run()
    except BaseException:  # noqa: BLE001 - the child must never return into the server's loop
        traceback.print_exc()
    finally:
        _flush()
        os._exit(code)


def _reopen_streams() -> None:
    """New text streams on 0, 1 and 2, buffered as Python buffers them at start-up for these files."""
    unbuffered = bool(os.environ.get("PYTHONUNBUFFERED"))
    sys.stdin = open(0, "r", encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False, buffering=1 if os.isatty(1) else -1)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False, buffering=1)  # noqa: SIM115
    if unbuffered:
        sys.stdout.reconfigure(write_through=True)
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = sys.stdin, sys.stdout, sys.stderr


def _run() -> int:
    """`main()` as the interpreter would run it: its exit code, threads joined, exit handlers run."""
    import atexit

    from compose.cli.main import main

    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        main()
        code = 0
    except SystemExit as done:
        code = _exit_code(done.code)
    except KeyboardInterrupt:
        _flush()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
        code = 130
    for thread in threading.enumerate():
        if thread is not threading.main_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    return code


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    sys.stderr.write(f"{code}\n")
    return 1


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001
            pass
