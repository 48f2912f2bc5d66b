"""The stages a --target needs, their dependencies and parallel generations; errors name file and line."""

import pytest

from engine.build.dockerfile import parse
from engine.build.errors import DockerfileError, TargetNotFound
from engine.build.stages import plan
from pycompose.errors import NotFound

MULTI = """\
ARG BASE=golang:1.22
FROM $BASE AS deps
RUN go mod download
FROM deps AS build
COPY --from=assets /dist ./web
RUN go build -o /app
FROM node:20 AS assets
RUN npm run build
FROM alpine AS test
COPY --from=0 /go /go
RUN --mount=from=build,source=/app,target=/app /app -test
FROM scratch
COPY --from=build /app /app
COPY --from=busybox:1.36 /bin/busybox /bin/sh
"""


def test_default_target_is_the_last_stage_and_only_needed_stages_build():
    p = plan(parse(MULTI))
    assert p.target == 4
    assert p.generations == ((0, 2), (1,), (4,))
    assert p.order == (0, 2, 1, 4)
    assert p.nodes[0].base.image == "golang:1.22"
    assert p.nodes[1].base_stage == 0 and p.nodes[1].depends == (0, 2)
    assert p.nodes[4].images == ("busybox:1.36",) and p.nodes[4].depends == (1,)


def test_target_by_name_any_case_and_build_args_in_from():
    p = plan(parse(MULTI), target="TEST", build_args={"BASE": "golang:1.23"})
    assert p.generations == ((0, 2), (1,), (3,))
    assert p.nodes[0].base.image == "golang:1.23"
    assert plan(parse(MULTI), target="assets").generations == ((2,),)


def test_from_args_pick_an_earlier_stage():
    p = plan(parse("ARG FLAVOR=dev\nFROM alpine AS dev\nFROM alpine AS prod\nFROM $FLAVOR\n"),
             build_args={"FLAVOR": "prod"})
    assert p.generations == ((1,), (2,))


def test_stage_args_expand_copy_from_and_env_follows_the_parent_stage():
    text = "FROM a AS one\nENV SRC=one\nFROM b AS two\nFROM one\nARG WHICH=two\nCOPY --from=$WHICH /x /x\n" \
           "COPY --from=$SRC /y /y\n"
    assert plan(parse(text)).nodes[2].depends == (0, 1)


def test_from_an_image_named_like_the_stage_itself():
    p = plan(parse("FROM nginx AS nginx\n"))
    assert p.nodes[0].base_stage is None and p.nodes[0].depends == ()


def test_unknown_target():
    with pytest.raises(TargetNotFound) as caught:
        plan(parse(MULTI), target="tset")
    assert caught.value.message == "target stage 'tset' could not be found in Dockerfile (did you mean test?)"
    assert isinstance(caught.value, NotFound)


@pytest.mark.parametrize(("text", "message"), [
    ("FROM a\nFROM later\nFROM b AS later\n",
     "Dockerfile:2: FROM later: stage 'later' is defined later, on line 3; a stage can only build on an earlier one"),
    ("FROM a\nCOPY --from=1 x y\nFROM b\n",
     "Dockerfile:2: --from=1: a stage index must name an earlier stage (this is stage 0)"),
    ("FROM a AS one\nCOPY --from=two x y\nFROM b AS two\nCOPY --from=one x y\n",
     "Dockerfile:3: circular dependency between stages: two -> one -> two"),
    ("FROM a AS self\nRUN --mount=from=self,target=/x true\n",
     "Dockerfile:1: circular dependency between stages: self -> self"),
])
def test_graph_errors(text, message):
    with pytest.raises(DockerfileError) as caught:
        plan(parse(text))
    assert caught.value.message == message


def test_a_cycle_outside_the_target_does_not_matter():
    text = "FROM a AS one\nCOPY --from=two x y\nFROM b AS two\nCOPY --from=one x y\nFROM c AS ok\n"
    assert plan(parse(text)).generations == ((2,),)
