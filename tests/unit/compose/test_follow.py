"""compose.reconcile.follow: merge order, Compose's prefix and colours, the window, and following
hand-written json-file logs of fake containers (no engine, no root)."""

from __future__ import annotations

import io
import json
import time
from dataclasses import dataclass, field

import pytest

from compose.errors import ProjectError
from compose.reconcile.follow import RAINBOW, Follower, Printer, Window, merge, paint, resume_point
from engine.logs import parse_time
from engine.state import ContainerRecord
from engine.state.record import rfc3339nano
from tests.waiting import eventually

T0 = 1_700_000_000_000_000_000


def entry(text: str, ns: int, stream: str = "stdout") -> dict:
    return {"log": text + "\n", "stream": stream, "time": rfc3339nano(ns)}


def test_merge_orders_by_time_and_keeps_the_given_order_on_ties():
    a = [entry("a1", T0 + 1), entry("a2", T0 + 5), entry("a3", T0 + 9)]
    b = [entry("b1", T0 + 2), entry("b2", T0 + 5), entry("b3", T0 + 7)]
    got = [(name, e["log"].strip()) for name, e in merge([("a", a), ("b", b)])]
    assert got == [("a", "a1"), ("b", "b1"), ("a", "a2"), ("b", "b2"), ("b", "b3"), ("a", "a3")]


def test_merge_reads_fraction_digits_of_any_length():
    a = [{"log": "late\n", "stream": "stdout", "time": "2023-11-14T22:13:20.5Z"}]
    b = [{"log": "early\n", "stream": "stdout", "time": "2023-11-14T22:13:20.123456789Z"}]
    assert [e["log"] for _, e in merge([("a", a), ("b", b)])] == ["early\n", "late\n"]


def test_prefix_pads_to_one_more_than_the_longest_name_as_compose_does():
    out = io.StringIO()
    printer = Printer(out, out)
    for name in ("demo-web-1", "demo-api-1", "demo-worker-1"):
        printer.register(name)
    printer.log("demo-web-1", entry("hello", T0))
    printer.log("demo-worker-1", entry("busy", T0))
    assert out.getvalue() == "demo-web-1     | hello\ndemo-worker-1  | busy\n"


def test_names_of_one_length_read_as_compose_prints_them():
    out = io.StringIO()
    printer = Printer(out, out)
    printer.register("demo-api-1")
    printer.register("demo-web-1")
    printer.log("demo-web-1", entry("hello", T0))
    assert out.getvalue() == "demo-web-1  | hello\n"


def test_no_prefix_timestamps_and_stderr_to_err():
    out, err = io.StringIO(), io.StringIO()
    printer = Printer(out, err, prefix=False, timestamps=True)
    printer.log("demo-web-1", entry("oops", T0 + 1_500, "stderr"))
    printer.log("demo-web-1", {"log": "no newline", "stream": "stdout", "time": rfc3339nano(T0)})
    assert err.getvalue() == "2023-11-14T22:13:20.000001500Z oops\n"
    assert out.getvalue() == "2023-11-14T22:13:20.000000000Z no newline\n"


def test_colours_follow_composes_cycle_in_registration_order():
    out = io.StringIO()
    printer = Printer(out, out, color=True)
    names = [f"c{i:02d}" for i in range(12)]
    for name in names:
        printer.register(name)
    for name in names:
        printer.log(name, entry("x", T0))
    lines = out.getvalue().splitlines()
    assert RAINBOW[:5] == ("36", "33", "32", "35", "34") and RAINBOW[5:] == tuple(c + ";1" for c in RAINBOW[:5])
    codes = [RAINBOW[i % len(RAINBOW)] for i in range(12)]
    assert lines == [paint(code, f"{name}  | ") + "x" for name, code in zip(names, codes, strict=True)]
    assert lines[0] == "\033[36mc00  | \033[0mx" and lines[10].startswith("\033[36mc10")


def test_status_is_painted_like_the_prefix():
    out = io.StringIO()
    printer = Printer(out, out, color=True)
    printer.status("demo-job-1", "exited with code 0")
    assert out.getvalue() == "\033[36mdemo-job-1 exited with code 0\033[0m\n"


def test_window_parses_tail_since_and_until():
    now = T0
    assert Window.parse("all") == Window(None, None, None)
    assert Window.parse("-1") == Window(None, None, None)
    assert Window.parse("3", "10s", "2023-11-14T22:13:21Z", now_ns=now) == Window(3, now - 10 * 10**9, now + 10**9)
    assert Window.parse("0", "1700000000.5", now_ns=now).since == T0 + 500_000_000
    with pytest.raises(ProjectError, match="--tail"):
        Window.parse("ten")


def test_resume_after_the_last_entry_printed_skipping_its_time():
    backlog = [entry("a", T0), entry("b", T0 + 7), entry("c", T0 + 7)]
    assert resume_point(backlog, Window(), read_at=T0 + 100) == (T0 + 7, 2)
    assert resume_point([], Window(tail=0, since=T0), read_at=T0 + 100) == (T0 + 100, 0)
    assert resume_point([], Window(tail=5, since=T0), read_at=T0 + 100) == (T0, 0)
    assert resume_point([], Window(), read_at=T0 + 100) == (None, 0)


# -- following fake containers ------------------------------------------------------------------

@dataclass
class FakeContainers:
    """The part of engine.containers.service.ContainerService a Follower uses, over files in a directory."""

    root: object
    records: dict[str, ContainerRecord] = field(default_factory=dict)

    def log_path(self, record: ContainerRecord) -> str:
        return str(self.root / f"{record.id}-json.log")  # type: ignore[operator]

    def get(self, cid: str) -> ContainerRecord:
        from engine.errors import EngineError

        if cid not in self.records:
            raise EngineError(f"no such container {cid}")
        return self.records[cid]

    def wait(self, cid: str) -> int:
        return self.get(cid).exit_code or 0

    def add(self, cid: str, name: str, *, started: int = T0, state: str = "running") -> ContainerRecord:
        record = ContainerRecord(cid, name, state=state, started_at=rfc3339nano(started))
        self.records[cid] = record
        open(self.log_path(record), "a").close()
        return record

    def write(self, cid: str, text: str, ns: int | None = None) -> None:
        with open(self.log_path(self.records[cid]), "a") as f:
            f.write(json.dumps(entry(text, ns if ns is not None else time.time_ns())) + "\n")

    def exit(self, cid: str, code: int) -> None:
        self.records[cid] = self.records[cid].replace(state="exited", exit_code=code)


def follower(tmp_path, window: Window | None = None, exits: bool = False):  # type: ignore[no-untyped-def]
    fake = FakeContainers(tmp_path)
    out = io.StringIO()
    made = Follower(fake, lambda: list(fake.records.values()), Printer(out, out), window or Window(),  # type: ignore[arg-type]
                    poll=0.01, exits=exits)
    return fake, out, made


def pump_until(made: Follower, probe, what: str) -> list:  # type: ignore[no-untyped-def]
    """Pump until `probe(ended so far)` holds; the containers reported ended meanwhile."""
    ended: list = []

    def step():  # type: ignore[no-untyped-def]
        ended.extend(made.pump(0.01))
        return probe(ended)

    eventually(step, timeout=5, what=what)
    return ended


def test_backlog_then_new_lines_once_each_then_the_exit(tmp_path):
    fake, out, made = follower(tmp_path, Window(tail=2))
    fake.add("a" * 64, "demo-a-1")
    fake.add("b" * 64, "demo-bb-1")
    for i, ns in enumerate((T0 + 1, T0 + 3, T0 + 3)):
        fake.write("a" * 64, f"a{i}", ns)
    fake.write("b" * 64, "b0", T0 + 2)
    made.start(follow=True)
    assert out.getvalue() == "demo-bb-1  | b0\ndemo-a-1   | a1\ndemo-a-1   | a2\n"
    fake.write("a" * 64, "a3", T0 + 3)  # the same time as the last printed: printed once all the same
    fake.write("b" * 64, "b1")
    pump_until(made, lambda _: "b1" in out.getvalue() and "a3" in out.getvalue(), "the new lines")
    assert out.getvalue().count("a2") == 1 and out.getvalue().count("a1") == 1
    fake.write("b" * 64, "last words")
    fake.exit("b" * 64, 3)
    ended = pump_until(made, lambda ended: ended, "the exit of bb")
    assert out.getvalue().endswith("demo-bb-1  | last words\n")  # its last lines before its exit
    assert [(r.name, code) for r, code in ended] == [("demo-bb-1", 3)]
    assert made.busy()  # a is running still


def test_a_container_that_appears_is_followed_from_its_first_line(tmp_path):
    fake, out, made = follower(tmp_path, Window(tail=0))
    fake.add("a" * 64, "demo-web-1")
    fake.write("a" * 64, "old")
    made.start(follow=True)
    assert out.getvalue() == ""
    fake.add("c" * 64, "demo-web-2")
    fake.write("c" * 64, "first of the new one")
    pump_until(made, lambda _: "first of the new one" in out.getvalue(), "the new container's line")
    assert "old" not in out.getvalue()
    assert "demo-web-2  | first of the new one\n" in out.getvalue()


def test_a_container_started_again_is_followed_from_its_new_start(tmp_path):
    fake, out, made = follower(tmp_path)
    fake.add("a" * 64, "demo-job-1", state="exited")
    fake.write("a" * 64, "run one", T0 + 1)
    made.start(follow=True)
    assert out.getvalue() == "demo-job-1  | run one\n"
    assert not made.busy()
    again = time.time_ns()
    fake.records["a" * 64] = fake.records["a" * 64].replace(state="running", started_at=rfc3339nano(again))
    fake.write("a" * 64, "run two", again + 1)
    pump_until(made, lambda _: "run two" in out.getvalue(), "the second run's line")
    assert out.getvalue().count("run one") == 1


def test_a_container_seen_before_it_started_shows_a_first_line_stamped_before_its_start(tmp_path):
    fake, out, made = follower(tmp_path, Window(tail=1))
    made.start(follow=True)
    fake.add("c" * 64, "demo-w-1", state="dead")  # being made: seen before it runs, never started
    fake.records["c" * 64] = fake.records["c" * 64].replace(started_at="")
    pump_until(made, lambda _: "c" * 64 in made._sources, "a look at the new container")
    started = time.time_ns()
    fake.write("c" * 64, "start two", started - 500_000)  # the supervisor stamped it before it recorded the start
    fake.records["c" * 64] = fake.records["c" * 64].replace(state="running", started_at=rfc3339nano(started))
    pump_until(made, lambda _: "start two" in out.getvalue(), "the first line of the recreated container")


def test_a_run_again_resumes_after_what_was_printed_even_a_line_stamped_before_its_start(tmp_path):
    fake, out, made = follower(tmp_path)
    fake.add("a" * 64, "demo-job-1", state="exited")
    fake.write("a" * 64, "run one", T0 + 1)
    made.start(follow=True)
    again = time.time_ns()
    fake.write("a" * 64, "run two begins", again - 1000)
    fake.records["a" * 64] = fake.records["a" * 64].replace(state="running", started_at=rfc3339nano(again))
    pump_until(made, lambda _: "run two begins" in out.getvalue(), "the second run's early line")
    assert out.getvalue().count("run one") == 1


def test_exits_reports_containers_that_ended_within_the_window_before_the_start(tmp_path):
    fake, out, made = follower(tmp_path, Window(since=T0), exits=True)
    fake.add("a" * 64, "demo-job-1", state="exited", started=T0 + 5)
    fake.records["a" * 64] = fake.records["a" * 64].replace(exit_code=0)
    fake.add("b" * 64, "demo-old-1", state="exited", started=T0 - 5)
    fake.write("a" * 64, "done", T0 + 6)
    made.start(follow=True)
    assert [(r.name, code) for r, code in made.pump(0)] == [("demo-job-1", 0)]
    assert not made.busy()


def test_parse_time_of_rfc3339nano_round_trips():
    assert parse_time(rfc3339nano(T0 + 123)) == T0 + 123
