"""engine.events: appended by several writers, read back in order, filtered by time, followed across rotation."""

from __future__ import annotations

import threading

from engine import events


def test_emitted_events_read_back_in_order_with_their_attributes(tmp_path):
    events.emit(tmp_path, "container", "create", "c1", {"name": "web", "image": "busybox"})
    events.emit(tmp_path, "container", "start", "c1", {"name": "web"})
    got = events.read(tmp_path)
    assert [(e["type"], e["action"], e["id"]) for e in got] == [("container", "create", "c1"),
                                                                 ("container", "start", "c1")]
    assert got[0]["attributes"] == {"name": "web", "image": "busybox"}
    assert got[0]["time"] <= got[1]["time"]


def test_since_and_until_bound_the_events(tmp_path):
    events.emit(tmp_path, "container", "create", "a")
    middle = events.read(tmp_path)[0]["time"] + 1
    events.emit(tmp_path, "container", "create", "b")
    assert [e["id"] for e in events.read(tmp_path, since=middle)] == ["b"]
    assert [e["id"] for e in events.read(tmp_path, until=middle)] == ["a"]


def test_concurrent_writers_never_tear_a_line(tmp_path):
    def write(n: int) -> None:
        for i in range(200):
            events.emit(tmp_path, "container", "create", f"{n}-{i}", {"pad": "x" * 300})

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(e["id"] for e in events.read(tmp_path)) == sorted(f"{n}-{i}" for n in range(4) for i in range(200))


def test_follow_yields_the_past_from_since_then_new_events_across_a_rotation(tmp_path, monkeypatch):
    monkeypatch.setattr(events, "ROTATE_AT", 2000)
    events.emit(tmp_path, "container", "create", "old")
    since = events.read(tmp_path)[0]["time"]
    stream = events.follow(tmp_path, since=since, poll=0.001)
    assert next(stream)["id"] == "old"
    for i in range(40):  # several rotations' worth, read as they come
        events.emit(tmp_path, "container", "start", f"n{i}", {"pad": "y" * 100})
        assert next(stream)["id"] == f"n{i}"
    assert (tmp_path / "events.log.1").exists()


def test_follow_without_since_sees_only_new_events(tmp_path):
    events.emit(tmp_path, "container", "create", "before")
    stream = events.follow(tmp_path, since=None, poll=0.001)
    events.emit(tmp_path, "container", "create", "after")
    assert next(stream)["id"] == "after"


def test_an_unwritable_root_loses_the_event_not_the_operation(tmp_path):
    events.emit(tmp_path / "missing" / "dir", "container", "create", "x")  # no exception
    assert events.read(tmp_path / "missing" / "dir") == []
