"""The container records on disk: one JSON file per container, written atomically, under locks.

Layout under the state root (a parameter; tests pass a temporary directory):

    containers/.lock                 flock(2): the store's lock, held to create a record (names are unique)
    containers/<id>/                 flock(2) on the directory: the record's lock, held to change or remove it
    containers/<id>/record.json      the record (write to a temporary file, fsync, rename, fsync the directory)
    containers/<id>/<id>-json.log    the json-file log, written by the supervisor

Readers need no lock: a rename is atomic, so a reader sees the old record or the new
one, never half of either. Writers take a lock for the whole read-modify-write: the
store's to create (so two `pycompose` processes never hand out one name twice), the
record's own to update or remove it (so they never lose each other's update, while
work on different containers, thirty removals at once or the supervisor's probes,
does not wait on one lock). An update may be `durable=False` (no fsync: a health
probe's result, which a crash may lose); an ephemeral container's writes (`--rm`: removed once
it exits) never are.

    store = Store(root)
    web = store.create(ContainerRecord(id=new_id(), name="web-1", config=...))
    store.update(web.id, lambda r: r.replace(state="running", pid=1234))
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from engine.errors import EngineError
from engine.state.record import ContainerRecord, now
from pycompose.errors import Conflict, InvalidArgument, NotFound, Unavailable
from pycompose.files import locked as file_lock
from pycompose.files import (
    read_parsed,
    write_atomic,  # re-exported: engine.volumes uses it
)

RECORD = "record.json"


class NoSuchContainer(EngineError, NotFound):
    pass


class NameInUse(EngineError, Conflict):
    pass


class AmbiguousId(EngineError, InvalidArgument):
    pass


class StoreFailure(EngineError, Unavailable):
    pass


def new_id() -> str:
    import secrets  # here: hashlib and hmac would cost the supervisor, which never makes ids, 0.3 MB

    return secrets.token_hex(32)


class Store:
    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root) / "containers"

    def directory(self, container_id: str) -> Path:
        return self.root / container_id

    def log_path(self, container_id: str) -> Path:
        return self.root / container_id / f"{container_id}-json.log"

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        with contextlib.ExitStack() as held:
            try:
                self.root.mkdir(parents=True, exist_ok=True)
                held.enter_context(file_lock(self.root / ".lock"))
            except OSError as e:
                raise StoreFailure(f"lock container store `{self.root}`: {e.strerror}") from e
            yield

    def _read(self, container_id: str) -> ContainerRecord | None:
        try:
            return read_parsed(self.root / container_id / RECORD, _parse_record)
        except (FileNotFoundError, NotADirectoryError):
            return None

    def _write(self, record: ContainerRecord, *, durable: bool = True) -> None:
        data = json.dumps(record.to_json(), separators=(",", ":")).encode()  # compact: the C encoder writes it
        write_atomic(self.root / record.id / RECORD, data, mode=0o600, durable=durable)

    def list(self) -> list[ContainerRecord]:
        if not self.root.is_dir():
            return []
        found = (self._read(entry.name) for entry in os.scandir(self.root) if not entry.name.startswith("."))
        return sorted((r for r in found if r is not None), key=lambda r: (r.created, r.name))

    def get(self, ref: str) -> ContainerRecord:
        """A record by full id, unique id prefix, or name."""
        record = self._read(ref) if len(ref) == 64 else None
        if record is not None:
            return record
        records = self.list()
        for r in records:
            if r.name == ref:
                return r
        matches = [r for r in records if ref and r.id.startswith(ref)]
        if len(matches) > 1:
            raise AmbiguousId(f"container id prefix `{ref}` matches {len(matches)} containers")
        if not matches:
            raise NoSuchContainer(f"no such container: `{ref}`")
        return matches[0]

    def create(self, record: ContainerRecord) -> ContainerRecord:
        if not record.created:
            record = record.replace(created=now())
        with self.locked():
            for other in self.list():
                if other.name == record.name:
                    raise NameInUse(f"create container `{record.name}`: the name is in use by {other.id[:12]}",
                                    hint="remove that container or choose another name")
            self.directory(record.id).mkdir(parents=True)
            self._write(record, durable=not record.ephemeral)
        return record

    @contextlib.contextmanager
    def _record_locked(self, ref: str) -> Iterator[ContainerRecord]:
        """The record `ref` names, read again under its own lock (it may have gone meanwhile: NoSuchContainer)."""
        record_id = self.get(ref).id
        try:
            fd = os.open(self.directory(record_id), os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except (FileNotFoundError, NotADirectoryError):
            raise NoSuchContainer(f"no such container: `{ref}`") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            current = self._read(record_id)
            if current is None:
                raise NoSuchContainer(f"no such container: `{ref}`")
            yield current
        finally:
            os.close(fd)

    def update(self, ref: str, change: Callable[[ContainerRecord], ContainerRecord], *,
               durable: bool = True) -> ContainerRecord:
        """Apply `change` to the current record under its lock; errors raised by `change` abort the write."""
        with self._record_locked(ref) as current:
            new = change(current)
            if new != current:
                self._write(new, durable=durable and not new.ephemeral)
        return new

    def remove(self, ref: str, check: Callable[[ContainerRecord], None] | None = None) -> None:
        with self._record_locked(ref) as record:
            if check is not None:
                check(record)
            directory = self.directory(record.id)
            for entry in os.scandir(directory):
                os.unlink(entry.path)
            directory.rmdir()


def _parse_record(data: bytes) -> ContainerRecord:
    return ContainerRecord.from_json(json.loads(data))
