"""The record store: round trips, lookups, unique names, atomic writes, and no lost update between processes."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.state import (
    ContainerConfig,
    ContainerRecord,
    Health,
    Healthcheck,
    LogConfig,
    NameInUse,
    NoSuchContainer,
    ProbeResult,
    Store,
    new_id,
)
from engine.state.store import AmbiguousId, write_atomic

ROOT = str(Path(__file__).resolve().parents[3])


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path)


def full_record(name="web-1"):
    check = Healthcheck(test=("CMD-SHELL", "true"), interval=1.5, retries=2, start_interval=0.1)
    config = ContainerConfig(launch={"argv": ["sleep", "1"]}, restart="on-failure:2", healthcheck=check,
                             log=LogConfig(max_size=1000, max_file=3))
    health = Health("healthy", 0, (ProbeResult("a", "b", 0, "ok"),))
    return ContainerRecord(id=new_id(), name=name, config=config, labels={"com.docker.compose.service": "web"},
                           health=health, supervisor=(12, 34))


def test_round_trip(store):
    record = store.create(full_record())
    assert record.created
    assert store.get(record.id) == record
    assert ContainerRecord.from_json(json.loads(json.dumps(record.to_json()))) == record


def test_lookup_by_name_and_prefix(store):
    record = store.create(full_record())
    assert store.get("web-1") == record
    assert store.get(record.id[:8]) == record
    with pytest.raises(NoSuchContainer, match="no such container: `nope`"):
        store.get("nope")


def test_ambiguous_prefix(store):
    a = store.create(ContainerRecord(id="ab" + new_id()[2:], name="a"))
    store.create(ContainerRecord(id="ab" + new_id()[2:], name="b"))
    with pytest.raises(AmbiguousId):
        store.get("ab")
    assert store.get(a.id[:20]) == a


def test_names_are_unique(store):
    store.create(full_record("db"))
    with pytest.raises(NameInUse, match="create container `db`: the name is in use"):
        store.create(full_record("db"))
    assert [r.name for r in store.list()] == ["db"]


def test_update_and_remove(store):
    record = store.create(full_record())
    updated = store.update("web-1", lambda r: r.replace(state="running", pid=42))
    assert store.get(record.id).pid == 42 == updated.pid
    store.remove("web-1")
    assert store.list() == []
    assert not store.directory(record.id).exists()


def test_a_failing_change_writes_nothing(store):
    record = store.create(full_record())

    def refuse(r):
        raise NameInUse("no")

    with pytest.raises(NameInUse):
        store.update(record.id, refuse)
    assert store.get(record.id) == record


def test_write_atomic_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "f.json"
    write_atomic(target, b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert os.listdir(tmp_path) == ["f.json"]


WRITER = """
import sys
from engine.state import Store
store = Store(sys.argv[1])
for _ in range(int(sys.argv[2])):
    store.update("counter", lambda r: r.replace(restart_count=r.restart_count + 1))
"""


def test_concurrent_writers_never_lose_an_update_or_tear_a_record(store, tmp_path):
    record = store.create(ContainerRecord(id=new_id(), name="counter"))
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), "10"], cwd=ROOT,
                                env={**os.environ, "PYTHONPATH": ROOT}) for _ in range(4)]
    seen = set()
    while any(w.poll() is None for w in writers):  # read lock-free meanwhile: never a torn file
        seen.add(store.get(record.id).restart_count)
    assert [w.wait() for w in writers] == [0, 0, 0, 0]
    assert store.get(record.id).restart_count == 40
    assert max(seen) <= 40


def test_an_ephemeral_containers_records_are_not_synced(store, monkeypatch):
    synced = []
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd))
    kept = store.create(ContainerRecord(id=new_id(), name="kept"))
    store.update(kept.id, lambda r: r.replace(state="running", pid=1))
    assert len(synced) == 4  # the record and its directory, twice
    synced.clear()
    for flag in ("auto_remove", "remove_on_exit"):  # run --rm; run -d --rm
        brief = store.create(ContainerRecord(id=new_id(), name=flag, config=ContainerConfig(launch={flag: True})))
        store.update(brief.id, lambda r: r.replace(state="running", pid=1))
        assert brief.ephemeral and store.get(brief.id).state == "running"
    assert synced == []
