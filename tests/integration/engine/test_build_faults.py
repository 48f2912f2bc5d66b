"""Bad Dockerfiles and failing steps (build_lab): one clear message naming the file and line, nothing
half-made in the store (images, layers, containers), and the cache as it was before."""

from __future__ import annotations

import os

import pytest

from engine.build.cache import BuildCache
from engine.build.errors import ContextError, DockerfileError, StepFailed, TargetNotFound
from tests.integration.engine import build_lab

containers = build_lab.containers  # the fixtures
context = build_lab.context
do_build = build_lab.do_build

GOOD = "FROM busybox AS builder\nCOPY a.txt /\nRUN cat /a.txt > /b.txt\n"

FAULTS = [
    ("COPY onlyone\n", {}, DockerfileError,
     "Dockerfile:4: COPY requires at least two arguments, but only 1 was provided"),
    ("COPPY a.txt /\n", {}, DockerfileError, "Dockerfile:4: unknown instruction: COPPY (did you mean COPY?)"),
    ("RUN echo ${NAME:?needs a name}\nWORKDIR ${NAME:?needs a name}\n", {}, DockerfileError,
     "Dockerfile:5: NAME: needs a name"),
    ("COPY --from=buildr /b.txt /\n", {}, DockerfileError,
     "Dockerfile:4: --from=buildr: no stage of that name (did you mean builder?), and as an image: pull access "
     "denied or image not found"),
    ("FROM nosuchbase\n", {}, DockerfileError, "Dockerfile:4: FROM nosuchbase: pull access denied"),
    ("", {"target": "tests"}, TargetNotFound, "target stage 'tests' could not be found in Dockerfile"),
    ("COPY missing.txt /\n", {}, ContextError,
     "Dockerfile:4: COPY: failed to compute cache key: 'missing.txt' not found: no such file or directory"),
    ("COPY ../outside.txt /\n", {}, ContextError, "Dockerfile:4: COPY: forbidden path outside the build context"),
    ('RUN ["/no/such/program"]\n', {}, StepFailed, "Dockerfile:4: step 4/4 `RUN [\"/no/such/program\"]`"),
    ("RUN echo partial > /p; echo on stderr >&2; exit 42\n", {}, StepFailed,
     "Dockerfile:4: step 4/4 `RUN echo partial > /p; echo on stderr >&2; exit 42`: the command '/bin/sh -c echo "
     "partial > /p; echo on stderr >&2; exit 42' returned a non-zero code: 42\noutput:\non stderr"),
]


def _store(containers) -> tuple:  # type: ignore[no-untyped-def]
    state = containers.roots.state
    return ({i.id for i in containers.images.list()}, set(os.listdir(state / "layers" / "sha256")),
            BuildCache(state, containers.images).keys(), containers.store.list())


@pytest.mark.parametrize(("tail", "options", "error", "message"), FAULTS, ids=[f[3][:40] for f in FAULTS])
def test_a_bad_build_says_what_and_where_and_changes_nothing(containers, context, tail, options, error, message):
    (context / "a.txt").write_text("a\n")
    do_build(containers, context, GOOD, tags=("good:1",))
    before = _store(containers)
    with pytest.raises(error) as failed:
        do_build(containers, context, GOOD + tail, tags=("bad:1",), **options)
    assert failed.value.message.startswith(message), failed.value.message
    assert "\n" not in failed.value.message or error is StepFailed  # one line, but a failed step's own output
    assert _store(containers) == before
    again = do_build(containers, context, GOOD, tags=("good:1",))
    assert again.text.count(" ---> Using cache") == 2  # the steps before the fault: still cached
