import os

import pytest

from pycompose.files import locked, write_atomic


def test_atomic_write_replaces_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "state.json"
    write_atomic(target, b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert os.listdir(tmp_path) == ["state.json"]


def test_a_failed_write_keeps_the_old_content(tmp_path):
    target = tmp_path / "state.json"
    write_atomic(target, b"old")
    with pytest.raises(TypeError):
        write_atomic(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["state.json"]


def test_the_lock_is_held_for_the_block(tmp_path):
    import fcntl

    lock = tmp_path / "x.lock"
    with locked(lock):
        fd = os.open(lock, os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)


def test_read_parsed_parses_once_until_the_file_is_replaced(tmp_path):
    from pycompose.files import read_parsed, write_atomic

    path = tmp_path / "state.json"
    write_atomic(path, b'{"n": 1}')
    calls = []

    def parse(data: bytes) -> dict:
        calls.append(data)
        return __import__("json").loads(data)

    first = read_parsed(path, parse)
    assert read_parsed(path, parse) is first and len(calls) == 1
    write_atomic(path, b'{"n": 2}')  # same size, a new file
    assert read_parsed(path, parse) == {"n": 2} and len(calls) == 2


def test_read_parsed_raises_as_reading_does(tmp_path):
    from pycompose.files import read_parsed

    with pytest.raises(FileNotFoundError):
        read_parsed(tmp_path / "missing.json", bytes.decode)


def test_a_slot_lock_excludes_threads_on_its_slot_only(tmp_path):
    import threading
    import time

    from pycompose.files import locked_slot

    lock, inside, overlaps = tmp_path / "slots.lock", [], []

    def hold(slot: int) -> None:
        with locked_slot(lock, slot):
            inside.append(slot)
            if inside.count(slot) > 1:
                overlaps.append(slot)
            time.sleep(0.02)
            inside.remove(slot)

    threads = [threading.Thread(target=hold, args=(7,)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert overlaps == []
    with locked_slot(lock, 1), locked_slot(lock, 2 ** 62 - 1):  # another slot: taken at once
        pass
    assert os.listdir(tmp_path) == ["slots.lock"]  # one file, however many slots
