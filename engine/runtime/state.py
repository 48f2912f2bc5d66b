"""Container state under the runtime root: one directory per id, as runc keeps it.

    <root>/<id>/state.json   what `state` prints, plus the process's start time
    <root>/<id>/exec.fifo    present while the container is `created`: `start` writes a byte into it

The status is never stored, it is observed: `stopped` when the process is gone (or
another process took its pid), `created` while the fifo exists, `running` otherwise.
What each operation may do in each status is the table `ALLOWED`.
"""

from __future__ import annotations

import json
import os
import time
from typing import NamedTuple

from engine.runtime.errors import ContainerExists, ContainerNotFound, WrongState

DEFAULT_ROOT = "/run/pycompose/runtime"
_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+-.")

# (operation, status) -> None when allowed, else the refusal (runc's wording).
ALLOWED: dict[tuple[str, str], str | None] = {
    ("start", "created"): None,
    ("start", "running"): "cannot start an already running container",
    ("start", "stopped"): "cannot start a container that has stopped",
    ("kill", "created"): None,
    ("kill", "running"): None,
    ("kill", "stopped"): "container not running",
    ("exec", "created"): "cannot exec in a created container",
    ("exec", "running"): None,
    ("exec", "stopped"): "cannot exec in a stopped container",
    ("delete", "created"): None,
    ("delete", "stopped"): None,
    ("delete", "running"): "cannot delete container {id} that is not stopped: running",
}


class Record(NamedTuple):
    id: str
    pid: int
    bundle: str
    rootfs: str
    created: str
    starttime: int
    annotations: dict[str, str] = {}  # noqa: RUF012 - never mutated
    owner: str = ""
    ociVersion: str = "1.0.2"  # noqa: N815 - the state JSON's own key


def start_time(pid: int) -> int | None:
    """Field 22 of /proc/<pid>/stat, or None when the process is gone or a zombie."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            raw = f.read()
    except OSError:
        return None
    fields = raw[raw.rindex(b")") + 2:].split()
    if fields[0] in (b"Z", b"X"):
        return None
    return int(fields[19])


class Store:
    def __init__(self, root: str = DEFAULT_ROOT):
        self.root = os.path.abspath(root)

    def dir(self, cid: str) -> str:
        if not cid or cid in (".", "..") or not set(cid) <= _ID_CHARS:
            raise ContainerNotFound(f"invalid container id `{cid}`")
        return os.path.join(self.root, cid)

    def fifo(self, cid: str) -> str:
        return os.path.join(self.dir(cid), "exec.fifo")

    def reserve(self, cid: str) -> str:
        os.makedirs(self.root, mode=0o700, exist_ok=True)
        path = self.dir(cid)
        try:
            os.mkdir(path, 0o711)
        except FileExistsError:
            raise ContainerExists(f"container with id exists: {cid}") from None
        return path

    def release(self, cid: str) -> None:
        import shutil
        shutil.rmtree(self.dir(cid), ignore_errors=True)

    def save(self, record: Record) -> None:
        path = os.path.join(self.dir(record.id), "state.json")
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(record._asdict(), f)
        os.replace(tmp, path)

    def load(self, cid: str) -> Record:
        try:
            with open(os.path.join(self.dir(cid), "state.json")) as f:
                return Record(**json.load(f))
        except (FileNotFoundError, NotADirectoryError):
            raise ContainerNotFound(f"container does not exist: {cid}") from None

    def ids(self) -> list[str]:
        try:
            names = sorted(os.listdir(self.root))
        except FileNotFoundError:
            return []
        return [n for n in names if os.path.exists(os.path.join(self.root, n, "state.json"))]

    def status(self, record: Record) -> str:
        if start_time(record.pid) != record.starttime:
            return "stopped"
        return "created" if os.path.exists(self.fifo(record.id)) else "running"

    def check(self, operation: str, record: Record) -> str:
        status = self.status(record)
        refusal = ALLOWED.get((operation, status))
        if refusal is not None:
            raise WrongState(refusal.format(id=record.id))
        return status

    def view(self, record: Record) -> dict[str, object]:
        """What `state` prints, in runc's key order."""
        status = self.status(record)
        return {"ociVersion": record.ociVersion, "id": record.id, "pid": record.pid if status != "stopped" else 0,
                "status": status, "bundle": record.bundle, "rootfs": record.rootfs, "created": record.created,
                "owner": record.owner, "annotations": record.annotations}


def now() -> str:
    t = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int((t % 1) * 1e9):09d}Z"
