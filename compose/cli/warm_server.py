"""The warm CLI server: pycompose imported once, a forked child per command (see `compose.cli.warm`).

One process, one thread, one selector. A connection brings one request (argv, cwd, environment,
umask) with the client's standard streams attached as file descriptors. The server hands it to a
child forked for it; the child takes the streams as its 0, 1 and 2, the directory, environment and
umask, and runs `compose.cli.main.main` exactly as the executable would. The server answers
"pid N" at once; the child itself answers "exit N" as its last act, once it has closed its
descriptors (its memory is freed after, off the caller's clock), and the server answers again, "exit
N" or "signal N", when it has reaped it (a child killed never answers). A client that goes away
(killed) takes its child with it: SIGKILL, as if the command had been running in the killed process.
The children are the server's own: it reaps them through their pidfds.

A command's child is forked before the command comes: a spare (`Spare`), made once the server
listens and again whenever a command has ended. Forked, a child shares the server's ~60 MB of
memory copy-on-write, and each page a command then writes (Python writes an object's reference
count as it uses it) is copied on a fault that costs ~5 us here: ~2,000 of them, ~10 ms of every
command. The spare takes those copies while it waits, at idle priority, in one madvise call per
range (`MADV_POPULATE_WRITE`); so the command finds its memory its own, and neither the fork nor
the faults are on its clock. A command that comes while none is ready has one forked for it.

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
class Spare:
    """A child forked ahead of a command, waiting for one on `chan`: the request's bytes, with the caller's three
    streams and its connection as file descriptors."""

    pid: int
    chan: socket.socket


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
    spare: Spare | None = None


def serve(path: str) -> None:
    lock = _lock(path + ".lock")
    if lock is None:
        return  # another server has it, or has just left and removed it: the next command starts one
    # SIGTERM (stop_servers) is a byte on this pipe, which the loop reads as "leave": no exception raised wherever
    # the server happens to be (in a fork, halfway through handing a command over), and none missed while it
    # imports: the loop finds the byte as it begins.
    stop, stop_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
    signal.signal(signal.SIGTERM, lambda *_: None)
    signal.set_wakeup_fd(stop_w, warn_on_full_buffer=False)
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
    server.selector.register(stop, selectors.EVENT_READ, "stop")
    server.watch = Watch.of(server.sources)
    if server.watch is not None:
        server.selector.register(server.watch.fd, selectors.EVENT_READ, "sources")
    if _stale(server.sources):  # changed while it was imported, before the watch began
        _stop_listening(server)
    try:
        _loop(server)
    finally:
        _stop_listening(server)
        # Gone at once: the interpreter's teardown of everything imported costs a busy host seconds, and there is
        # nothing to flush (the server's streams are /dev/null).
        os._exit(0)


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
        if server.listening and not server.running and server.spare is None:
            server.spare = _spare(prefault=True)  # for the next command, made while none runs
        for key, _ in server.selector.select(timeout=max(idle, 0.1) if not server.running else None):
            if key.data == "stop":
                return  # SIGTERM: gone now (its commands run on: they are not the server's to end)
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
        spare, server.spare = server.spare, None
        pid = _hand(spare, request, [*fds, conn.fileno()], conn) if spare is not None else None
        if pid is None:  # none ready, or it died waiting: one forked for this command
            pid = _hand(_spare(prefault=False), request, [*fds, conn.fileno()], conn)
    finally:
        for fd in fds:
            os.close(fd)
    if pid is None:
        conn.close()
        return
    pidfd = os.pidfd_open(pid)
    running = Running(conn, pid, pidfd)
    server.running[pidfd] = running
    server.clients[conn.fileno()] = running
    server.selector.register(pidfd, selectors.EVENT_READ, "child")
    server.selector.register(conn, selectors.EVENT_READ, "client")


def _hand(spare: Spare, request: bytes, fds: list[int], conn: socket.socket) -> int | None:
    """Give the command to `spare`, then "pid N" to the client; the spare's pid, or None when it is gone (reaped
    here). (A command quick enough answers "exit N" before that: the client takes the lines in any order.)"""
    try:
        _normal_priority(spare.pid)  # it notices the command between two copies: soon, also on a busy host
        socket.send_fds(spare.chan, [request], fds)
    except OSError:
        _discard(spare)
        return None
    finally:
        spare.chan.close()
    try:
        conn.sendall(f"pid {spare.pid}\n".encode())
    except OSError:
        pass  # the client is gone: its command is killed once its connection is watched (_client_spoke)
    return spare.pid


def _discard(spare: Spare) -> None:
    try:
        _normal_priority(spare.pid)  # at idle priority, on a busy host, even dying could take seconds
        os.kill(spare.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.waitpid(spare.pid, 0)


def _normal_priority(pid: int) -> None:
    """A spare out of the idle priority it copies its memory at (see `_own_memory`)."""
    os.sched_setscheduler(pid, os.SCHED_OTHER, os.sched_param(0))


def _same_user(conn: socket.socket) -> bool:
    import struct

    creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return uid == os.getuid()


def _request(conn: socket.socket, count: int = 3) -> tuple[bytes, list[int]]:
    """A whole request and the `count` descriptors sent with it (the client's three streams; a spare gets the
    client's connection too): ValueError when it is cut short."""
    data, fds, _flags, _addr = socket.recv_fds(conn, 1 << 16, count)
    if not data:
        for fd in fds:
            os.close(fd)
        raise ValueError("no request")
    while not data.endswith(b"\0\0"):
        chunk = conn.recv(1 << 16)
        if not chunk or len(data) > REQUEST_LIMIT:
            for fd in fds:
                os.close(fd)
            raise ValueError("incomplete request")
        data += chunk
    return data, fds


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
    """Step by step, each done once (the server's end runs it again, after a source change ran it)."""
    if server.listening:
        server.listening = False
        server.selector.unregister(server.listener)
        server.listener.close()
    if server.spare is not None:
        spare, server.spare = server.spare, None
        spare.chan.close()
        _discard(spare)
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


def _spare(prefault: bool) -> Spare:
    """Fork a child that waits for a command (see `Spare`), its memory made its own first when `prefault`."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    pid = os.fork()
    if pid == 0:
        try:
            ours.close()
            _wait_for_command(theirs, prefault)  # never returns
        finally:
            os._exit(1)
    theirs.close()
    return Spare(pid, ours)


def _wait_for_command(chan: socket.socket, prefault: bool) -> None:
    signal.set_wakeup_fd(-1)  # the server's: closed below, and a command's own signals are not its business
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD, signal.SIGQUIT):
        signal.signal(sig, signal.SIG_DFL)  # Ctrl-C before the command runs ends it as it ends Python's start
    fd = chan.detach()
    os.dup2(fd, 3)  # the server's listener, its clients...: none of them is the command's
    os.closerange(4, 1 << 16)
    chan = socket.socket(fileno=3)
    if prefault:
        _own_memory(chan)
    try:
        data, fds = _request(chan, 4)
    except (OSError, ValueError):
        os._exit(0)  # the server left, or let this spare go
    if len(fds) != 4:
        os._exit(0)
    chan.close()
    _child(Request(*decode_request(data)), fds[:3], fds[3])


MADV_POPULATE_WRITE = 23  # Linux 5.14


def _own_memory(chan: socket.socket, chunk: int = 4 << 20) -> None:
    """Copy now, at idle priority, the pages shared with the server that a command would copy on its first write,
    a few MB at a time, until a command comes (see `Spare`). Without MADV_POPULATE_WRITE (a kernel before 5.14),
    nothing is done."""
    import ctypes
    import select

    libc = ctypes.CDLL(None, use_errno=True)
    libc.madvise.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
    os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    try:
        for start, end in _private_writable_ranges():
            for at in range(start, end, chunk):
                if select.select([chan], [], [], 0)[0]:
                    return  # a command: it runs now, as far as the copies got
                if libc.madvise(at, min(chunk, end - at), MADV_POPULATE_WRITE) != 0 and ctypes.get_errno() in (
                        22, 38):  # EINVAL, ENOSYS: the kernel has no such advice
                    return
    finally:
        os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))


def _private_writable_ranges() -> list[tuple[int, int]]:
    """The process's private writable mappings (heap, arenas, libraries' data), from /proc/self/maps."""
    ranges = []
    with open("/proc/self/maps") as f:
        for line in f:
            fields = line.split()
            if fields[1][1] == "w" and fields[1][3] == "p" and (len(fields) < 6 or not fields[5].startswith("[")
                                                                  or fields[5] == "[heap]"):
                start, end = fields[0].split("-")
                ranges.append((int(start, 16), int(end, 16)))
    return ranges


def _child(request: Request, fds: list[int], conn: int) -> None:
    """Become the command: the client's streams, directory, environment and umask, then pycompose's main; its exit
    code to the client (`conn`) as soon as it is known."""
    code = 1
    try:
        os.setsid()
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        os.dup2(conn, 3, inheritable=False)  # for `_answer`; nothing the command runs gets it
        os.closerange(4, 1 << 16)
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
        _answer(code)
        os._exit(code)


def _answer(code: int) -> None:
    """Tell the client (on fd 3) how the command ended, with nothing of ours left open that it could wait for (the
    streams' ends a reader of its output waits on, a lock): what is left of the process is its memory to free."""
    os.closerange(0, 3)
    os.closerange(4, 1 << 16)
    try:
        os.write(3, f"exit {code}\n".encode())
    except OSError:
        pass


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
