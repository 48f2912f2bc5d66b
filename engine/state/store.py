"""The container records on disk: one JSON file per container, written atomically, under one lock.

Layout under the state root (a parameter; tests pass a temporary directory):

    containers/.lock                 flock(2): held by every writer, never by readers
    containers/<id>/record.json      the record (write to a temporary file, fsync, rename, fsync the directory)
    containers/<id>/<id>-json.log    the json-file log, written by the supervisor

Readers need no lock: a rename is atomic, so a reader sees the old record or the new
one, never half of either. Writers take the lock for the whole read-modify-write, so
two `pycompose` processes never lose each other's update or hand out one name twice.

    store = Store(root)
    web = store.create(ContainerRecord(id=new_id(), name="web-1", config=...))
    store.update(web.id, lambda r: r.replace(state="running", pid=1234))
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from engine.errors import EngineError
from engine.state.record import ContainerRecord, now
from pycompose.errors import Conflict, InvalidArgument, NotFound, Unavailable
from pycompose.files import locked as file_lock
from pycompose.files import write_atomic  # re-exported: engine.volumes uses it

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
            data = (self.root / container_id / RECORD).read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None
        return ContainerRecord.from_json(json.loads(data))

    def _write(self, record: ContainerRecord) -> None:
        write_atomic(self.root / record.id / RECORD, json.dumps(record.to_json(), indent=1).encode(), mode=0o600)

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
            self._write(record)
        return record

    def update(self, ref: str, change: Callable[[ContainerRecord], ContainerRecord]) -> ContainerRecord:
        """Apply `change` to the current record under the lock; errors raised by `change` abort the write."""
        with self.locked():
            current = self.get(ref)
            new = change(current)
            if new != current:
                self._write(new)
        return new

    def remove(self, ref: str, check: Callable[[ContainerRecord], None] | None = None) -> None:
        with self.locked():
            record = self.get(ref)
            if check is not None:
                check(record)
            directory = self.directory(record.id)
            for entry in os.scandir(directory):
                os.unlink(entry.path)
            directory.rmdir()
