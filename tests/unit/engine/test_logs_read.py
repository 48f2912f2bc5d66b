"""The log reader: everything, tail, since/until, streams, timestamps, rotated files, follow, and speed."""

import threading
import time

import pytest

from engine import logs
from engine.supervisor.jsonlog import JsonLog, rfc3339nano

BASE = 1_700_000_000_000_000_000
SECOND = 1_000_000_000


@pytest.fixture
def path(tmp_path):
    return str(tmp_path / "c-json.log")


def write(path, entries, **options):
    log = JsonLog(path, **options)
    for n, (stream, text) in enumerate(entries):
        log.write(stream, [text.encode()], now_ns=BASE + n * SECOND)
    log.close()


def texts(entries):
    return [e["log"] for e in entries]


def test_read_all_in_order_with_streams(path):
    write(path, [("stdout", "a\n"), ("stderr", "b\n"), ("stdout", "c\n")])
    assert texts(logs.read(path)) == ["a\n", "b\n", "c\n"]
    assert texts(logs.read(path, streams=("stderr",))) == ["b\n"]
    assert logs.read(path)[1] == {"log": "b\n", "stream": "stderr", "time": rfc3339nano(BASE + SECOND)}


def test_tail(path):
    write(path, [("stdout", f"{n}\n") for n in range(1000)])
    assert texts(logs.read(path, tail=3)) == ["997\n", "998\n", "999\n"]
    assert logs.read(path, tail=0) == []
    assert len(logs.read(path, tail=5000)) == 1000


def test_tail_across_rotated_files(path):
    write(path, [("stdout", f"{n:04d}\n") for n in range(300)], max_size=2000, max_file=5)
    everything = texts(logs.read(path))
    assert everything == [f"{n:04d}\n" for n in range(300 - len(everything), 300)]
    assert texts(logs.read(path, tail=len(everything) - 1)) == everything[1:]


def test_since_and_until(path):
    write(path, [("stdout", f"{n}\n") for n in range(10)])
    assert texts(logs.read(path, since=BASE + 7 * SECOND)) == ["7\n", "8\n", "9\n"]
    assert texts(logs.read(path, until=BASE + SECOND)) == ["0\n", "1\n"]
    assert texts(logs.read(path, since=BASE + 2 * SECOND, until=BASE + 5 * SECOND, tail=2)) == ["4\n", "5\n"]


def test_parse_time_and_since():
    assert logs.parse_time("2023-11-14T22:13:20Z") == BASE
    assert logs.parse_time("2023-11-14T22:13:20.5Z") == BASE + SECOND // 2
    assert logs.parse_time("2023-11-14T23:13:20.000000001+01:00") == BASE + 1
    assert logs.parse_since("10m", now_ns=BASE) == BASE - 600 * SECOND
    assert logs.parse_since("1h30m", now_ns=BASE) == BASE - 5400 * SECOND
    assert logs.parse_since("1700000000.25") == BASE + SECOND // 4
    with pytest.raises(logs.BadTime, match="`yesterday` is not an RFC 3339 time"):
        logs.parse_since("yesterday")


def test_timestamps_are_fixed_width_as_the_docker_cli_prints_them(path):
    write(path, [("stdout", "a\n")])
    entry = logs.read(path)[0]
    assert logs.format_entry(entry) == "a\n"
    assert logs.format_entry(entry, timestamps=True) == "2023-11-14T22:13:20.000000000Z a\n"
    assert logs.fixed_nano("2023-11-14T22:13:20.12Z") == "2023-11-14T22:13:20.120000000Z"


def test_a_torn_last_line_is_skipped(path):
    write(path, [("stdout", "a\n"), ("stdout", "b\n")])
    with open(path, "ab") as f:
        f.write(b'{"log":"c')
    assert texts(logs.read(path)) == ["a\n", "b\n"]


def test_follow_yields_new_lines_then_ends_when_stopped(path):
    write(path, [("stdout", "old\n")])
    stopped = threading.Event()
    got = []
    reader = threading.Thread(target=lambda: got.extend(logs.follow(path, stopped=stopped.is_set, poll=0.01)))
    reader.start()
    log = JsonLog(path)
    deadline = time.monotonic() + 10
    for n in range(3):
        log.write("stdout", [f"new {n}\n".encode()])
    log.close()
    stopped.set()
    reader.join(deadline - time.monotonic())
    assert texts(got) == ["old\n", "new 0\n", "new 1\n", "new 2\n"]


def test_follow_goes_on_after_a_rotation(path):
    write(path, [("stdout", "old\n")])
    log = JsonLog(path, max_size=300, max_file=2)
    stream = logs.follow(path, stopped=lambda: False, poll=0.001)
    assert next(stream)["log"] == "old\n"
    seen = []
    for n in range(10):  # about three lines a file: a rotation every third line
        log.write("stdout", [f"{n}\n".encode()])
        seen.append(next(stream)["log"])
    log.close()
    stream.close()
    assert seen == [f"{n}\n" for n in range(10)]


def test_200000_lines_read_back_whole_and_in_order(path):
    """The volume bench/logs_bench.py times (the figure lives there, not here): nothing lost or reordered."""
    log = JsonLog(path)
    for batch in range(200):
        log.write("stdout", [f"{batch * 1000 + n:079d}\n".encode() for n in range(1000)])
    log.close()
    entries = logs.read(path)
    assert [e["log"] for e in entries] == [f"{n:079d}\n" for n in range(200_000)]
