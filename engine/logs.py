"""Reading json-file logs: tail, since/until, follow, timestamps.

    for entry in read(store.log_path(cid), tail=10, since=parse_since("5m")):
        sys.stdout.write(format_entry(entry, timestamps=True))

Speed: a log is parsed as one JSON document, not line by line. In a json-lines file
a raw newline can only stand between objects (JSON escapes it inside strings), so
the bytes with every newline turned into a comma, in brackets, are one JSON array;
the C parser reads 200,000 lines of it in about a tenth of a second. `tail` reads
the file backwards from its end and parses only the lines it keeps.
"""

from __future__ import annotations

import calendar
import json
import os
import re
import time
from collections.abc import Callable, Iterator
from typing import TypedDict

from engine.errors import EngineError
from pycompose.errors import InvalidArgument

_BLOCK = 1 << 16


class BadTime(EngineError, InvalidArgument):
    pass


class Entry(TypedDict):
    """One line of the log, exactly as the file has it (a dict is what the parser makes anyway:
    building another object per line would cost more than parsing the file)."""

    log: str
    stream: str
    time: str


def log_files(path: str) -> list[str]:
    """The files of the log at `path` that exist, oldest (highest rotation number) first."""
    older, n = [], 1
    while os.path.exists(f"{path}.{n}"):
        older.append(f"{path}.{n}")
        n += 1
    return older[::-1] + ([path] if os.path.exists(path) else [])


def _parse(blob: bytes) -> list[Entry]:
    blob = blob.strip(b"\n")
    if not blob:
        return []
    try:
        return json.loads(b"[" + blob.replace(b"\n", b",") + b"]")
    except ValueError:  # a torn or foreign line: fall back to the lines that parse
        return [d for d in (_loads_or_none(line) for line in blob.split(b"\n")) if d is not None]


def _loads_or_none(line: bytes) -> Entry | None:
    try:
        return json.loads(line)
    except ValueError:
        return None


def _last_lines(path: str, count: int) -> tuple[bytes, int]:
    """The last `count` complete lines of a file, and how many lines that is."""
    with open(path, "rb") as f:
        end = f.seek(0, os.SEEK_END)
        data, pos = b"", end
        while pos > 0 and data.count(b"\n") <= count:
            step = min(_BLOCK * 16, pos)
            pos -= step
            f.seek(pos)
            data = f.read(step) + data
    lines = data.split(b"\n")[:-1] if data.endswith(b"\n") else data.split(b"\n")
    if pos > 0:
        lines = lines[1:]  # the first is probably cut
    kept = lines[-count:] if count else []
    return b"\n".join(kept), len(kept)


def read_raw(path: str, tail: int | None = None) -> list[Entry]:
    """All the entries, or the last `tail` of them."""
    files = log_files(path)
    if tail is None:
        out: list[Entry] = []
        for name in files:
            with open(name, "rb") as f:
                out += _parse(f.read())
        return out
    chunks: list[bytes] = []
    for name in reversed(files):
        if tail <= 0:
            break
        blob, got = _last_lines(name, tail)
        chunks.insert(0, blob)
        tail -= got
    return _parse(b"\n".join(c for c in chunks if c))


def read(path: str, *, tail: int | None = None, since: int | None = None, until: int | None = None,
         streams: tuple[str, ...] = ("stdout", "stderr")) -> list[Entry]:
    """Entries of the log, filtered: `since`/`until` in ns since the epoch; `tail` counts after filtering by time."""
    if since is None and until is None:
        return _select(read_raw(path, tail), None, None, None, streams)
    return _select(read_raw(path), tail, since, until, streams)


def _select(raw: list[Entry], tail: int | None, since: int | None, until: int | None,
            streams: tuple[str, ...]) -> list[Entry]:
    if since is not None or until is not None:
        raw = [d for d in raw if _in_window(d["time"], since, until)]
    if tail is not None:
        raw = raw[-tail:] if tail > 0 else []
    if set(streams) >= {"stdout", "stderr"}:
        return raw
    return [d for d in raw if d.get("stream") in streams]


def _in_window(stamp: str, since: int | None, until: int | None) -> bool:
    ns = parse_time(stamp)
    return (since is None or ns >= since) and (until is None or ns <= until)


_seconds_cache: dict[str, int] = {}


def parse_time(stamp: str) -> int:
    """RFC 3339 (with any number of fraction digits) to ns since the epoch."""
    head = stamp[:19]
    seconds = _seconds_cache.get(head)
    if seconds is None:
        try:
            seconds = calendar.timegm(time.strptime(head, "%Y-%m-%dT%H:%M:%S"))
        except ValueError:
            raise BadTime(f"`{stamp}` is not an RFC 3339 time") from None
        if len(_seconds_cache) > 4096:
            _seconds_cache.clear()
        _seconds_cache[head] = seconds
    rest, fraction = stamp[19:], 0
    if rest.startswith("."):
        digits = len(rest) - len(rest[1:].lstrip("0123456789")) - 1
        fraction = int(rest[1:1 + digits][:9].ljust(9, "0"))
        rest = rest[1 + digits:]
    offset = 0
    if rest not in ("Z", "z", ""):
        m = re.fullmatch(r"([+-])(\d\d):(\d\d)", rest)
        if not m:
            raise BadTime(f"`{stamp}` is not an RFC 3339 time")
        offset = (int(m[2]) * 3600 + int(m[3]) * 60) * (1 if m[1] == "+" else -1)
    return (seconds - offset) * 1_000_000_000 + fraction


_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNIT_NS = {"ns": 1, "us": 1_000, "µs": 1_000, "ms": 1_000_000, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}


def parse_since(value: str, now_ns: int | None = None) -> int:
    """`--since`/`--until` as Docker takes them: RFC 3339, a Unix time (`1700000000.5`), or a Go
    duration before now (`10m`, `1h30m`). Returns ns since the epoch."""
    now_ns = time.time_ns() if now_ns is None else now_ns
    if _DURATION.fullmatch(value) or re.fullmatch(r"(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+", value):
        total = sum(float(n) * _UNIT_NS[u] for n, u in _DURATION.findall(value))
        return now_ns - int(total)
    if re.fullmatch(r"\d+(\.\d+)?", value):
        whole, _, frac = value.partition(".")
        return int(whole) * 10**9 + int(frac[:9].ljust(9, "0") or 0)
    if len(value) == 10:  # a bare date
        value += "T00:00:00Z"
    return parse_time(value)


def format_entry(entry: Entry, timestamps: bool = False) -> str:
    if not timestamps:
        return entry["log"]
    return f"{fixed_nano(entry['time'])} {entry['log']}"


def fixed_nano(stamp: str) -> str:
    """Docker CLI's timestamp: always nine fraction digits (RFC3339NanoFixed)."""
    head, rest = stamp[:19], stamp[19:]
    digits = rest[1:].rstrip("Zz") if rest.startswith(".") else ""
    return f"{head}.{digits.ljust(9, '0')}Z" if rest.endswith(("Z", "z")) else stamp


def follow(path: str, *, stopped: Callable[[], bool], tail: int | None = None, since: int | None = None,
           until: int | None = None, poll: float = 0.05,
           streams: tuple[str, ...] = ("stdout", "stderr")) -> Iterator[Entry]:
    """The entries there are, then new ones as they are written, until `stopped()` and no more are
    written (the container ended) or an entry is later than `until`. Follows rotation (an entry
    written to a file that is rotated twice between two polls is missed, as with Docker)."""
    f = open(path, "rb")  # noqa: SIM115 (replaced on rotation)
    try:
        blob = b"".join(open(name, "rb").read() for name in log_files(path)[:-1])  # noqa: SIM115
        blob += f.read()
        cut = blob.rfind(b"\n") + 1
        partial = blob[cut:]
        yield from _select(_parse(blob[:cut]), tail, since, until, streams)
        while True:
            done = stopped()
            data = f.read()
            if not data and _rotated(path, f):
                f.close()
                f = open(path, "rb")  # noqa: SIM115
                continue
            data = partial + data
            cut = data.rfind(b"\n") + 1
            partial = data[cut:]
            for d in _parse(data[:cut]):
                if until is not None and parse_time(d["time"]) > until:
                    return
                if d.get("stream") in streams and (since is None or parse_time(d["time"]) >= since):
                    yield d
            if done and not data:
                return
            if not data:
                time.sleep(poll)
    finally:
        f.close()


def _rotated(path: str, f) -> bool:  # type: ignore[no-untyped-def]
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    return st.st_ino != os.fstat(f.fileno()).st_ino or st.st_size < f.tell()
