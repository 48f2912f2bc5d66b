"""Stages that do not need each other build at the same time (build_lab); their output reads stage after
stage, and a failing stage stops the others.

The two stages of RENDEZVOUS share a cache mount: each leaves a mark there and waits (up
to a minute) for the other's. Built one after the other, the first would wait in vain
and fail; built together, both find the other's mark at once.
"""

from __future__ import annotations

import time

import pytest

from engine.build.errors import StepFailed
from tests.integration.engine import build_lab

containers = build_lab.containers  # the fixtures
context = build_lab.context
do_build = build_lab.do_build

WAIT = ("touch /meet/{me}; i=0; while [ ! -e /meet/{other} ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; "
        "test -e /meet/{other} && echo {me} met {other} > /{me}")
RENDEZVOUS = f"""\
FROM busybox AS left
ARG RUN_ID
RUN --mount=type=cache,target=/meet,id=meet-$RUN_ID {WAIT.format(me="left", other="right")}

FROM busybox AS right
ARG RUN_ID
RUN --mount=type=cache,target=/meet,id=meet-$RUN_ID {WAIT.format(me="right", other="left")}

FROM busybox
COPY --from=left /left /
COPY --from=right /right /
"""


def test_independent_stages_build_at_once_and_print_one_after_the_other(containers, context):
    built = do_build(containers, context, RENDEZVOUS, build_args={"RUN_ID": str(time.time_ns())})
    assert built.file("/left").read_text() == "left met right\n"
    assert built.file("/right").read_text() == "right met left\n"
    steps = [line for line in built.lines if line.startswith("Step ")]
    assert [s.split(" : ")[0] for s in steps] == [f"Step {n}/9" for n in range(1, 10)]
    assert steps[3] == "Step 4/9 : FROM busybox AS right"  # all of `left`, then all of `right`


def test_a_failing_stage_stops_the_others_and_leaves_no_container(containers, context):
    started = time.monotonic()
    with pytest.raises(StepFailed) as failed:
        do_build(containers, context, """\
FROM busybox AS slow
RUN sleep 300

FROM busybox AS broken
RUN echo breaking; exit 7

FROM busybox
COPY --from=slow /etc/passwd /a
COPY --from=broken /etc/passwd /b
""")
    assert "Dockerfile:5: step 4/7 `RUN echo breaking; exit 7`" in failed.value.message
    assert failed.value.code == 7
    assert time.monotonic() - started < 120  # the slow stage's `sleep 300` was killed, not waited for
    assert containers.store.list() == []
