"""The engine's events: what happened to containers, images, networks and volumes, as `docker events` shows.

Without a daemon there is no process to ask, so events are a file every pycompose process appends to:
`<state root>/events.log`, one JSON object a line (`time` in ns, `type`, `action`, `id`, `attributes`),
each line one write(2) on a descriptor opened with O_APPEND, so concurrent writers (CLIs and the
supervisor) never interleave within a line. When the file passes 1 MiB the next writer renames it to
`events.log.1` (keeping one old file, as a bounded history like dockerd's 256 events in memory).

    emit(state_root, "container", "die", record.id, {"name": "web", "exitCode": "3"})
    for event in follow(state_root, since=time.time_ns(), stopped=lambda: False): ...

Who emits what (Docker's actions): the container service `create`, `kill` (signal), `pause`, `unpause`,
`stop`, `destroy`; the supervisor `start`, `die` (exitCode), `restart`, `health_status: healthy|unhealthy`.
Emitting never fails the operation it reports: an error writing the file is ignored.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:
    from engine.state.record import ContainerRecord

FILE = "events.log"
ROTATE_AT = 1 << 20


class Event(TypedDict):
    time: int  # ns since the epoch
    type: str  # container, image, network, volume
    action: str
    id: str
    attributes: dict[str, str]


def path_of(state_root: str | os.PathLike[str]) -> Path:
    return Path(state_root) / FILE


def emit(state_root: str | os.PathLike[str], type_: str, action: str, actor: str,
         attributes: Mapping[str, str] | None = None) -> None:
    """Append one event (never raises: an event lost is better than an operation failed)."""
    line = json.dumps({"time": time.time_ns(), "type": type_, "action": action, "id": actor,
                       "attributes": dict(attributes or {})}, separators=(",", ":")).encode() + b"\n"
    path = path_of(state_root)
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            os.write(fd, line)
            if os.fstat(fd).st_size > ROTATE_AT:
                os.replace(path, f"{path}.1")  # a writer that opened the old file still lands in .1: kept
        finally:
            os.close(fd)


def container(state_root: str | os.PathLike[str], record: ContainerRecord, action: str, **extra: str) -> None:
    """A container event, with Docker's attributes: its labels, `image` and `name`, and what the action adds
    (`exitCode` for die, `signal` for kill)."""
    attributes = {**record.labels, "image": record.config.launch.get("image", ""), "name": record.name, **extra}
    emit(state_root, "container", action, record.id, attributes)


def _parse(blob: bytes) -> list[Event]:
    out: list[Event] = []
    for line in blob.split(b"\n"):
        if line:
            with contextlib.suppress(ValueError):
                out.append(json.loads(line))
    return out


def _kept(path: Path) -> tuple[bytes, int, int | None]:
    """The bytes of both files, and the size and inode of the current one at the moment it was read."""
    blob = b""
    with contextlib.suppress(FileNotFoundError):
        blob = Path(f"{path}.1").read_bytes()
    try:
        with open(path, "rb") as f:
            current = f.read()
            return blob + current, len(current), os.fstat(f.fileno()).st_ino
    except FileNotFoundError:
        return blob, 0, None


def read(state_root: str | os.PathLike[str], *, since: int | None = None,
         until: int | None = None) -> list[Event]:
    """The events kept, oldest first, within [since, until] (ns)."""
    blob, _, _ = _kept(path_of(state_root))
    return [e for e in _parse(blob) if (since is None or e["time"] >= since) and (until is None or e["time"] <= until)]


def _stat(path: str | Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None


def _tail(path: str | Path, offset: int) -> bytes:
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read()


def follow(state_root: str | os.PathLike[str], *, since: int | None, until: int | None = None,
           stopped: Callable[[], bool] = lambda: False, poll: float = 0.05) -> Iterator[Event]:
    """The events from `since` (None: only new ones), then each as it is written, until `until` has passed or
    `stopped()`; follows the file across its rotation (the file followed, renamed to `.1`, is read to its end
    before the new one)."""
    path = path_of(state_root)
    blob, seen, inode = _kept(path)  # now, not at the first next(): what is written from here on is new
    past = [e for e in _parse(blob) if e["time"] >= since and (until is None or e["time"] <= until)] \
        if since is not None else []
    return _follow(path, past, seen, inode, until, stopped, poll)


def _follow(path: Path, past: list[Event], seen: int, inode: int | None, until: int | None,
            stopped: Callable[[], bool], poll: float) -> Iterator[Event]:
    yield from past
    partial = b""
    while not stopped():
        if until is not None and time.time_ns() > until:
            return
        current, data = _stat(path), b""
        if current is None or current.st_ino != inode:
            old = _stat(f"{path}.1")
            if inode is not None and old is not None and old.st_ino == inode and old.st_size > seen:
                data = _tail(f"{path}.1", seen)  # what was written before the rename
                seen += len(data)
            elif current is not None:
                inode, seen = current.st_ino, 0
                continue
        elif current.st_size > seen:
            data = _tail(path, seen)
            seen += len(data)
        if not data:
            time.sleep(poll)
            continue
        data = partial + data
        cut = data.rfind(b"\n") + 1
        partial = data[cut:]
        for event in _parse(data[:cut]):
            if until is not None and event["time"] > until:
                return
            yield event
