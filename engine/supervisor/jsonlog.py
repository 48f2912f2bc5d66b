"""Docker's json-file log format, written: one JSON object a line, rotated by size.

    {"log":"hello\\n","stream":"stdout","time":"2024-05-01T10:00:00.123456789Z"}

`log` is one line of output with its newline (a line longer than 16 KiB is cut into
16 KiB pieces without one, and so is an unfinished last line); `time` is RFC 3339
with nanoseconds and Go's habit of dropping trailing zeros of the fraction. With
`max_size`, the file is rotated before an entry would take it to `max_size` bytes:
`<id>-json.log` becomes `.1`, `.1` becomes `.2`, and so on up to `max_file - 1`
(with `max_file=1` the file is simply started again).
"""

from __future__ import annotations

import json
import os
import time

from engine.state.record import rfc3339nano

__all__ = ["JsonLog", "LineSplitter", "NullLog", "rfc3339nano", "rotated_paths"]

PIECE = 16 * 1024  # Docker's copier cuts lines longer than this
_encode = json.JSONEncoder(ensure_ascii=False).encode


class LineSplitter:
    """Cuts a byte stream into log lines; keeps the unfinished tail for the next chunk."""

    def __init__(self) -> None:
        self.tail = b""

    def feed(self, data: bytes) -> list[bytes]:
        data = self.tail + data if self.tail else data
        lines = data.split(b"\n")
        self.tail = lines.pop()
        out = [line + b"\n" for line in lines]
        if any(len(line) > PIECE for line in out):
            out = [piece for line in out for piece in _pieces(line)]
        while len(self.tail) >= PIECE:
            out.append(self.tail[:PIECE])
            self.tail = self.tail[PIECE:]
        return out

    def flush(self) -> list[bytes]:
        tail, self.tail = self.tail, b""
        return [tail] if tail else []


def _pieces(line: bytes) -> list[bytes]:
    return [line[i:i + PIECE] for i in range(0, len(line), PIECE)]


def rotated_paths(path: str, max_file: int) -> list[str]:
    """The files of one log, oldest first."""
    return [f"{path}.{n}" for n in range(max_file - 1, 0, -1)] + [path]


class JsonLog:
    """An open json-file log. Not thread-safe; the supervisor's event loop is its one writer."""

    def __init__(self, path: str, max_size: int = 0, max_file: int = 1):
        self.path, self.max_size, self.max_file = path, max_size, max(1, max_file)
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o640)
        self.size = os.fstat(self.fd).st_size

    def write(self, stream: str, lines: list[bytes], now_ns: int | None = None) -> None:
        if not lines:
            return
        suffix = f',"stream":"{stream}","time":"{rfc3339nano(now_ns or time.time_ns())}"}}\n'
        entries = [('{"log":' + _encode(line.decode("utf-8", "replace")) + suffix).encode() for line in lines]
        blob = b"".join(entries)
        if not self.max_size or self.size + len(blob) < self.max_size:
            self._append(blob)
            return
        for entry in entries:
            if self.size and self.size + len(entry) >= self.max_size:
                self.rotate()
            self._append(entry)

    def _append(self, blob: bytes) -> None:
        view = memoryview(blob)
        while view:
            view = view[os.write(self.fd, view):]
        self.size += len(blob)

    def rotate(self) -> None:
        os.close(self.fd)
        paths = rotated_paths(self.path, self.max_file)  # oldest first; the last is the live file
        for older, newer in zip(paths, paths[1:], strict=False):
            if os.path.exists(newer):
                os.replace(newer, older)
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC | (os.O_TRUNC if self.max_file == 1 else 0)
        self.fd = os.open(self.path, flags, 0o640)
        self.size = 0

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


class NullLog:
    """The `none` log driver: output is read (the container never blocks on a full pipe) and dropped."""

    def write(self, stream: str, lines: list[bytes], now_ns: int | None = None) -> None:
        pass

    def close(self) -> None:
        pass
