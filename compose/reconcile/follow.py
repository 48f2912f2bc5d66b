"""The logs of a project's containers, merged in time order, prefixed and coloured as Docker Compose
prints them, and followed while containers come and go (`logs`, `logs -f`, attached `up`).

    printer = Printer(sys.stdout, sys.stderr, color=sys.stdout.isatty())
    follower = Follower(world.containers, picker(world, "demo", ("web", "api")), printer, Window(tail=10))
    follower.start(follow=True)         # the backlog, merged by time; then a thread per running container
    while not interrupted:
        for record, code in follower.pump(0.1):   # print what came in; the containers that ended
            ...

Terms. A container's *log* is the engine's json-file log (engine.logs). The *backlog* is what the
logs hold at the start, cut by the `Window` (--tail, --since, --until), printed merged in time order
(equal times keep the containers' order, sorted by name). Following then resumes each running
container's log right after the last entry printed: from that entry's time, skipping the entries of
that very time already printed (a supervisor may stamp several lines alike). Live lines are printed
as they arrive, each batch sorted by time. `pick()` is polled every `poll` seconds: a new container
(recreated, scaled) is followed from its first line within the window, even when it was first seen
before it started; a known one started again is followed from right after the last entry printed of
it (not from its start time: the supervisor may stamp a first line a moment before it records the
start). A follower ends when its container is no longer running and its log is drained; `pump` then
reports the container and its exit code (removed containers are not reported).

Presentation, as Docker Compose's log consumer: the prefix is the container name padded to one more
than the longest name registered so far, then ` | `; with colour, the whole prefix (and a status line
such as `demo-job-1 exited with code 0`) is painted with the next colour of Compose's cycle of ten:
cyan, yellow, green, magenta, blue, then the same five bold, in the order containers are registered.
"""

from __future__ import annotations

import heapq
import itertools
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

from compose.errors import ProjectError
from engine import logs
from engine.logs import Entry, parse_time
from engine.state.lifecycle import ACTIVE

if TYPE_CHECKING:
    from compose.reconcile.world import World
    from engine.containers.service import ContainerService
    from engine.state import ContainerRecord

RAINBOW = ("36", "33", "32", "35", "34", "36;1", "33;1", "32;1", "35;1", "34;1")
POLL = 0.25  # seconds between two looks at the project's containers


def paint(code: str | None, text: str) -> str:
    """`text` in ANSI colour `code` (None: as it is)."""
    return f"\033[{code}m{text}\033[0m" if code else text


class Printer:
    """Writes log entries and status lines of named containers: stdout entries to `out`, stderr ones to `err`."""

    def __init__(self, out: TextIO, err: TextIO, *, color: bool = False, prefix: bool = True,
                 timestamps: bool = False):
        self.out, self.err = out, err
        self.color, self.prefix, self.timestamps = color, prefix, timestamps
        self._cycle = itertools.cycle(RAINBOW)
        self._codes: dict[str, str | None] = {}
        self.width = 0

    def register(self, name: str) -> None:
        """Give `name` its colour (the next of the cycle) and widen the prefixes to fit it."""
        if name in self._codes:
            return
        self._codes[name] = next(self._cycle) if self.color else None
        self.width = max(len(n) for n in self._codes) + 1

    def head(self, name: str) -> str:
        """`demo-web-1  | ` (padded to the longest name registered), painted; "" without prefixes."""
        if not self.prefix:
            return ""
        self.register(name)
        return paint(self._codes[name], f"{name.ljust(self.width)} | ")

    def render(self, name: str, entry: Entry) -> str:
        text = entry["log"][:-1] if entry["log"].endswith("\n") else entry["log"]
        head = self.head(name)
        stamp = logs.fixed_nano(entry["time"]) + " " if self.timestamps else ""
        return "".join(f"{head}{stamp}{line}\n" for line in text.split("\n"))

    def log(self, name: str, entry: Entry) -> None:
        (self.err if entry.get("stream") == "stderr" else self.out).write(self.render(name, entry))

    def status(self, name: str, message: str) -> None:
        """`demo-job-1 exited with code 0`, in the container's colour."""
        self.register(name)
        self.out.write(paint(self._codes[name], f"{name} {message}") + "\n")

    def flush(self) -> None:
        self.out.flush()
        self.err.flush()


@dataclass(frozen=True)
class Window:
    """Which entries to show: the last `tail` of each log (None: all), from `since` to `until` (ns since the epoch)."""

    tail: int | None = None
    since: int | None = None
    until: int | None = None

    @classmethod
    def parse(cls, tail: str = "all", since: str | None = None, until: str | None = None,
              now_ns: int | None = None) -> Window:
        """From the flags: `--tail` a number or `all` (negative: all), `--since`/`--until` as Docker takes them."""
        if tail != "all" and not tail.lstrip("-").isdigit():
            raise ProjectError(f"invalid value for --tail: {tail!r} (a number of lines, or all)")
        count = None if tail == "all" or int(tail) < 0 else int(tail)
        return cls(count, logs.parse_since(since, now_ns) if since else None,
                   logs.parse_since(until, now_ns) if until else None)


def merge(backlogs: Iterable[tuple[str, Sequence[Entry]]]) -> Iterator[tuple[str, Entry]]:
    """The entries of several logs as (name, entry) in time order; equal times keep the order of the logs
    given, then each log's own order. Each log must be in time order itself (a json-file log is)."""
    return heapq.merge(*[[(name, e) for e in entries] for name, entries in backlogs],
                       key=lambda pair: parse_time(pair[1]["time"]))


def resume_point(backlog: Sequence[Entry], window: Window, read_at: int) -> tuple[int | None, int]:
    """Where following a log resumes after its backlog was printed: (since, entries of that time to skip).

    After the last entry printed (its time; the entries of that time printed are skipped); with
    `--tail 0` from the moment the log was read; with nothing printed otherwise, from the window's start.
    """
    if backlog:
        last = parse_time(backlog[-1]["time"])
        same = sum(1 for _ in itertools.takewhile(lambda e: parse_time(e["time"]) == last, reversed(backlog)))
        return last, same
    if window.tail == 0:
        return max(window.since or 0, read_at), 0
    return window.since, 0


def picker(world: World, project: str, services: Iterable[str], *,
           index: int | None = None) -> Callable[[], list[ContainerRecord]]:
    """A function listing the project's containers of `services` (not one-off `run` ones), now;
    with `index`, only the container of that number (`--index`)."""
    from compose.plan import labels as L
    from compose.reconcile.observe import project_records

    wanted = frozenset(services)

    def pick() -> list[ContainerRecord]:
        return [r for r in project_records(world, project)
                if r.labels.get(L.SERVICE) in wanted and r.labels.get(L.ONEOFF, "False").lower() != "true"
                and (index is None or r.labels.get(L.CONTAINER_NUMBER) == str(index))]

    return pick


@dataclass
class _Source:
    """One container's log being followed."""

    record: ContainerRecord
    path: str
    run: str = ""                         # started_at of the run followed (or shown)
    thread: threading.Thread | None = None
    last: int | None = None               # the time of the last entry printed, and how many had that time
    at_last: int = 0

    def delivered(self, entry: Entry) -> None:
        stamp = parse_time(entry["time"])
        self.last, self.at_last = stamp, (self.at_last + 1 if stamp == self.last else 1)


@dataclass
class Follower:
    """Prints the logs of the containers `pick()` lists, see the module's docstring.

    `exits`: when starting, containers that ran within the window and have already ended are
    reported by the first `pump` (attached `up` says `demo-job-1 exited with code 0` for them).
    """

    containers: ContainerService
    pick: Callable[[], Sequence[ContainerRecord]]
    printer: Printer
    window: Window = field(default_factory=Window)
    poll: float = POLL
    exits: bool = False
    _sources: dict[str, _Source] = field(default_factory=dict)
    _active: frozenset[str] = frozenset()
    _queue: queue.Queue[tuple[str, Entry | None]] = field(default_factory=queue.Queue)
    _ended: list[ContainerRecord] = field(default_factory=list)
    _next_look: float = 0.0
    _closed: bool = False

    def start(self, *, follow: bool) -> list[ContainerRecord]:
        """Print the backlog of the containers there are, merged by time; with `follow`, start following
        the running ones. The containers, sorted by name (the order their colours were given in)."""
        records = sorted(self.pick(), key=lambda r: r.name)
        for record in records:
            self.printer.register(record.name)
        self._active = frozenset(r.id for r in records if r.state in ACTIVE)  # before a follower asks
        read_at = time.time_ns()
        backlogs: list[tuple[str, list[Entry]]] = []
        for record in records:
            path = self.containers.log_path(record)
            backlog = logs.read(path, tail=self.window.tail, since=self.window.since, until=self.window.until) \
                if os.path.exists(path) else []
            backlogs.append((record.name, backlog))
            source = self._sources[record.id] = _Source(record, path, record.started_at)
            source.last, source.at_last = resume_point(backlog, self.window, read_at)
            if follow and record.state in ACTIVE:
                self._follow(source, source.last, source.at_last)
            elif follow and self.exits and record.started_at \
                    and parse_time(record.started_at) >= (self.window.since or 0):
                self._ended.append(record)
        for name, entry in merge(backlogs):
            self.printer.log(name, entry)
        self.printer.flush()
        self._next_look = time.monotonic() + self.poll
        return records

    def pump(self, timeout: float) -> list[tuple[ContainerRecord, int]]:
        """Print the lines that come in within `timeout` seconds (looking for new containers when due);
        the containers whose logs ended because they stopped, with their exit codes."""
        batch: list[tuple[str, Entry | None]] = []
        try:
            batch.append(self._queue.get(timeout=max(0.0, min(timeout, self._next_look - time.monotonic()))))
            while True:
                batch.append(self._queue.get_nowait())
        except queue.Empty:
            pass
        live = [(self._sources[cid].record.name, e) for cid, e in batch if e is not None]
        live.sort(key=lambda pair: parse_time(pair[1]["time"]))
        for name, entry in live:
            self.printer.log(name, entry)
        if live:
            self.printer.flush()
        for cid, entry in batch:
            if entry is None:
                self._sources[cid].thread = None
                self._end(cid)
        if time.monotonic() >= self._next_look:
            self._look()
        ended, self._ended = self._ended, []
        if not self.exits:  # `logs -f` reports no exits: no need to ask the supervisor for codes
            return [(r, r.exit_code or 0) for r in ended]
        return [(r, self._exit_code(r)) for r in ended]

    def busy(self) -> bool:
        """Whether a container is still running or its log still being read."""
        return bool(self._active) or any(s.thread is not None for s in self._sources.values()) or bool(self._ended)

    def close(self) -> None:
        """Let the followers finish what is written and end (they are daemon threads: exiting ends them too)."""
        self._closed = True

    def _follow(self, source: _Source, since: int | None, skip: int) -> None:
        source.run = source.record.started_at
        source.thread = threading.Thread(target=self._read, args=(source, since, skip), daemon=True,
                                         name=f"logs {source.record.name}")
        source.thread.start()

    def _read(self, source: _Source, since: int | None, skip: int) -> None:
        cid = source.record.id
        try:
            for entry in logs.follow(source.path, stopped=lambda: self._closed or cid not in self._active,
                                     since=since, until=self.window.until):
                if skip and parse_time(entry["time"]) == since:
                    skip -= 1
                    continue
                skip = 0
                source.delivered(entry)
                self._queue.put((cid, entry))
        except OSError:  # no log (yet, or any more): try again at the next look, unless it is gone
            source.run = ""
        finally:
            self._queue.put((cid, None))

    def _end(self, cid: str) -> None:
        """A follower has drained its log: report the container if it stopped (not if it was removed)."""
        from engine.errors import EngineError

        try:
            record = self.containers.get(cid)
        except EngineError:
            return
        if record.state not in ACTIVE:
            self._ended.append(record)

    def _exit_code(self, record: ContainerRecord) -> int:
        # the engine's wait, not the record: a process that has just ended reads "exit 255" until its
        # supervisor has written the real code, which `wait` asks it for
        from engine.errors import EngineError

        try:
            return self.containers.wait(record.id)
        except EngineError:
            return record.exit_code or 0

    def _look(self) -> None:
        """Take in the containers `pick()` lists now: new ones, and known ones started again."""
        self._next_look = time.monotonic() + self.poll
        records = sorted(self.pick(), key=lambda r: r.name)
        self._active = frozenset(r.id for r in records if r.state in ACTIVE)
        for record in records:
            source = self._sources.get(record.id)
            if source is None:
                self.printer.register(record.name)
                source = self._sources[record.id] = _Source(record, self.containers.log_path(record))
                if record.state in ACTIVE or (record.started_at and os.path.exists(source.path)):
                    self._follow(source, self.window.since, 0)
            elif source.thread is None and record.state in ACTIVE and record.started_at != source.run:
                source.record = record
                # after what was printed of it (nothing yet: all of it within the window)
                self._follow(source, self.window.since if source.last is None else source.last, source.at_last)
            source.record = record
