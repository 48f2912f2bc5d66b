"""The json-file writer: Docker's line format, line cutting, and rotation by size."""

import json
import os

from engine.supervisor.jsonlog import PIECE, JsonLog, LineSplitter, rfc3339nano, rotated_paths

T = 1_700_000_000_123_400_000  # 2023-11-14T22:13:20.1234Z


def lines_of(path):
    with open(path, "rb") as f:
        return [json.loads(line) for line in f]


def test_rfc3339nano_drops_trailing_zeros_as_go_does():
    assert rfc3339nano(T) == "2023-11-14T22:13:20.1234Z"
    assert rfc3339nano(1_700_000_000_000_000_000) == "2023-11-14T22:13:20Z"
    assert rfc3339nano(1_700_000_000_000_000_001) == "2023-11-14T22:13:20.000000001Z"


def test_one_object_per_line_with_log_stream_time_in_docker_order(tmp_path):
    log = JsonLog(str(tmp_path / "c-json.log"))
    log.write("stdout", [b"hello\n", "caf\u00e9 \"quoted\"\t\n".encode()], now_ns=T)
    log.write("stderr", [b"\xff broken utf-8\n"], now_ns=T)
    log.close()
    raw = (tmp_path / "c-json.log").read_bytes().splitlines()
    assert raw[0] == b'{"log":"hello\\n","stream":"stdout","time":"2023-11-14T22:13:20.1234Z"}'
    assert json.loads(raw[1])["log"] == "caf\u00e9 \"quoted\"\t\n"
    assert json.loads(raw[2]) == {"log": "\ufffd broken utf-8\n", "stream": "stderr", "time": rfc3339nano(T)}


def test_splitter_keeps_unfinished_lines_and_cuts_long_ones():
    s = LineSplitter()
    assert s.feed(b"a\nb") == [b"a\n"]
    assert s.feed(b"c\n\n") == [b"bc\n", b"\n"]
    long = b"x" * (PIECE * 2 + 5)
    assert s.feed(long + b"\n") == [b"x" * PIECE, b"x" * PIECE, b"xxxxx\n"]
    assert s.feed(b"x" * (PIECE + 1)) == [b"x" * PIECE]
    assert s.flush() == [b"x"]
    assert s.flush() == []


def test_rotation_keeps_max_file_files_each_below_max_size(tmp_path):
    path = str(tmp_path / "c-json.log")
    log = JsonLog(path, max_size=1000, max_file=3)
    for n in range(100):
        log.write("stdout", [f"line {n:03d}\n".encode()], now_ns=T)
    log.close()
    assert sorted(os.listdir(tmp_path)) == ["c-json.log", "c-json.log.1", "c-json.log.2"]
    kept = [entry["log"] for p in rotated_paths(path, 3) for entry in lines_of(p)]
    assert all(os.path.getsize(p) < 1000 for p in rotated_paths(path, 3))
    assert kept == [f"line {n:03d}\n" for n in range(100 - len(kept), 100)]  # the newest, in order
    assert len(kept) > 15


def test_max_file_one_starts_the_file_again(tmp_path):
    path = str(tmp_path / "c-json.log")
    log = JsonLog(path, max_size=500, max_file=1)
    log.write("stdout", [f"{n}\n".encode() for n in range(50)], now_ns=T)
    log.close()
    assert os.listdir(tmp_path) == ["c-json.log"]
    assert lines_of(path)[-1]["log"] == "49\n"


def test_reopening_appends(tmp_path):
    path = str(tmp_path / "c-json.log")
    for word in (b"one\n", b"two\n"):
        log = JsonLog(path)
        log.write("stdout", [word])
        log.close()
    assert [e["log"] for e in lines_of(path)] == ["one\n", "two\n"]
