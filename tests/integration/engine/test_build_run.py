"""The builder on real containers: Dockerfiles built on a busybox image into temporary roots (build_lab).

Every build runs with network none. Each test leaves no container, mount or snapshot behind.
"""

from __future__ import annotations

import io
import os
import tarfile

import pytest

from engine.build.cache import BuildCache
from engine.build.errors import ContextError, StepFailed
from tests.integration.engine import build_lab

containers = build_lab.containers  # the fixtures
context = build_lab.context
do_build = build_lab.do_build


MULTI_STAGE = """\
FROM busybox AS builder
WORKDIR /src
COPY main.txt .
RUN tr a-z A-Z < main.txt > out.txt

FROM busybox AS unused
RUN echo this stage is not needed && false

FROM busybox
COPY --from=builder /src/out.txt /app/
ENV GREETING="hello there"
CMD ["sh", "-c", "echo $GREETING; cat /app/out.txt"]
"""


def test_multi_stage_copies_from_an_earlier_stage_and_builds_only_needed_stages(containers, context):
    (context / "main.txt").write_text("shout\n")
    built = do_build(containers, context, MULTI_STAGE, tags=("multi:1",))
    assert "RUN echo this stage is not needed && false" not in built.text
    assert built.run() == "hello there\nSHOUT\n"
    config = built.image.config.obj
    assert config["config"]["Env"][-1] == "GREETING=hello there"
    history = [h["created_by"] for h in config["history"]]
    assert history[-2:] == ['/bin/sh -c #(nop)  ENV GREETING="hello there"',
                            '/bin/sh -c #(nop)  CMD ["sh", "-c", "echo $GREETING; cat /app/out.txt"]']
    assert [h.get("empty_layer", False) for h in config["history"][-3:]] == [False, True, True]
    assert len(built.image.diff_ids) == 2  # busybox's, and the one COPY --from made

    target = do_build(containers, context, MULTI_STAGE, target="builder", tags=("multi:builder",))
    assert target.file("/src/out.txt").read_text() == "SHOUT\n"
    assert containers.images.get("multi:builder").id == target.image.id


CACHED = """\
FROM busybox
COPY a.txt /a/
RUN cat /a/a.txt > /a/copy.txt && date +%s%N > /a/when
COPY b.txt /b/
RUN cat /b/b.txt /a/when > /b/both.txt
CMD ["cat", "/b/both.txt"]
"""


def test_a_rebuild_is_all_cache_and_a_changed_file_reruns_only_the_steps_after_its_copy(containers, context):
    (context / "a.txt").write_text("a\n")
    (context / "b.txt").write_text("b\n")
    first = do_build(containers, context, CACHED, tags=("cached:1",))
    assert first.text.count("Running in") == 2 and "Using cache" not in first.text

    again = do_build(containers, context, CACHED, tags=("cached:1",))
    assert again.text.count(" ---> Using cache") == 5 and "Running in" not in again.text
    assert again.image.id == first.image.id and again.image.diff_ids == first.image.diff_ids
    assert again.result.cached == 5

    (context / "b.txt").write_text("b changed\n")
    changed = do_build(containers, context, CACHED, tags=("cached:1",))
    assert changed.text.count(" ---> Using cache") == 2  # COPY a.txt and the first RUN
    assert changed.text.count("Running in") == 1
    assert changed.image.diff_ids[:3] == first.image.diff_ids[:3]  # busybox, COPY a, RUN: the same layers
    assert changed.image.diff_ids[3:] != first.image.diff_ids[3:]
    assert changed.file("/a/when").read_text() == first.file("/a/when").read_text()  # the RUN did not run again
    assert changed.file("/b/both.txt").read_text().startswith("b changed\n")

    no_cache = do_build(containers, context, CACHED, no_cache=True)
    assert "Using cache" not in no_cache.text and no_cache.text.count("Running in") == 2


def test_dockerignore_keeps_files_out_and_naming_one_is_an_error(containers, context):
    (context / "keep.txt").write_text("kept\n")
    (context / "secret.key").write_text("hidden\n")
    (context / "logs").mkdir()
    (context / "logs" / "x.log").write_text("log\n")
    (context / ".dockerignore").write_text("*.key\nlogs\n")
    built = do_build(containers, context, "FROM busybox\nCOPY . /ctx/\n")
    assert built.has("/ctx/keep.txt") and built.has("/ctx/Dockerfile")
    assert not built.has("/ctx/secret.key") and not built.has("/ctx/logs")
    with pytest.raises(ContextError, match=r"Dockerfile:2: COPY: .*'secret.key' not found: excluded by "):
        do_build(containers, context, "FROM busybox\nCOPY secret.key /\n")
    with pytest.raises(ContextError, match="forbidden path outside the build context: ../outside"):
        do_build(containers, context, "FROM busybox\nCOPY ../outside /\n")


def test_user_and_chown_set_ownership_and_chmod_the_modes(containers, context):
    (context / "app").mkdir()
    (context / "app" / "run.sh").write_text("#!/bin/sh\necho run\n")
    (context / "plain.txt").write_text("plain\n")
    built = do_build(containers, context, """\
FROM busybox
COPY --chown=nobody:nogroup app /home/app/
COPY --chmod=600 plain.txt /plain.txt
USER nobody
RUN id -u > /tmp/uid && touch /tmp/mine
USER root
""")
    script = built.file("/home/app/run.sh").stat()
    assert (script.st_uid, script.st_gid) == (65534, 65534)
    plain = built.file("/plain.txt").stat()
    assert (plain.st_uid, plain.st_gid, plain.st_mode & 0o7777) == (0, 0, 0o600)
    assert built.file("/tmp/uid").read_text() == "65534\n"
    assert built.file("/tmp/mine").stat().st_uid == 65534
    assert built.image.config.obj["config"]["User"] == "root"


def test_heredoc_run_and_copy_and_add_extracts_a_local_tar(containers, context):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        data = b"from the tar\n"
        info = tarfile.TarInfo("pkg/readme")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    (context / "pkg.tar.gz").write_bytes(buf.getvalue())
    built = do_build(containers, context, """\
FROM busybox
ARG NAME=world
RUN <<EOF
echo "hello $NAME" > /hello
echo second line >> /hello
EOF
COPY <<EOF /etc/motd
welcome to ${NAME}
EOF
ADD pkg.tar.gz /opt/
WORKDIR /work/dir
""", build_args={"NAME": "builder"})
    assert built.file("/hello").read_text() == "hello builder\nsecond line\n"
    assert built.file("/etc/motd").read_text() == "welcome to builder\n"
    assert built.file("/opt/pkg/readme").read_text() == "from the tar\n"
    assert built.file("/work/dir").is_dir()
    assert built.image.config.obj["config"]["WorkingDir"] == "/work/dir"


def test_a_failing_run_names_the_step_and_leaves_nothing_new(containers, context):
    (context / "a.txt").write_text("a\n")
    ok = "FROM busybox\nCOPY a.txt /\n"
    do_build(containers, context, ok)
    images_before = {i.id for i in containers.images.list()}
    layers_before = set(os.listdir(containers.roots.state / "layers" / "sha256"))
    with pytest.raises(StepFailed) as failed:
        do_build(containers, context, ok + "RUN echo about to fail; echo to stderr >&2; exit 3\n", tags=("bad:1",))
    message = failed.value.message
    assert "Dockerfile:3: step 3/3 `RUN echo about to fail; echo to stderr >&2; exit 3`" in message
    assert "returned a non-zero code: 3" in message
    assert "about to fail" in message and "to stderr" in message
    assert failed.value.code == 3
    assert {i.id for i in containers.images.list()} == images_before
    assert set(os.listdir(containers.roots.state / "layers" / "sha256")) == layers_before
    assert containers.store.list() == []
    again = do_build(containers, context, ok + "RUN true\n")  # the cache before the failure is intact
    assert again.text.count(" ---> Using cache") == 1


def test_builder_prune_empties_the_cache_and_removes_the_layers_only_it_held(containers, context):
    (context / "f.txt").write_text("f\n")
    built = do_build(containers, context, "FROM busybox\nCOPY f.txt /\nRUN echo x > /x\n")
    layer = built.image.diff_ids[-1]
    containers.images.remove(built.image.id)
    assert containers.images.layers.exists(layer)  # the cache holds it
    cache = BuildCache(containers.roots.state, containers.images)
    removed, reclaimed = cache.prune()
    assert removed >= 2 and reclaimed > 0
    assert cache.keys() == []
    assert not containers.images.layers.exists(layer)
    assert containers.images.get("busybox")  # the base stays
    rebuilt = do_build(containers, context, "FROM busybox\nCOPY f.txt /\nRUN echo x > /x\n")
    assert "Using cache" not in rebuilt.text


def test_metadata_instructions_shape_the_config_and_history_as_dockers(containers, context):
    built = do_build(containers, context, """\
FROM busybox
SHELL ["/bin/sh", "-ec"]
RUN ["sh", "-c", "echo exec form > /exec"]
RUN echo shell form > /shell
LABEL org.example.name="the app" version=1
EXPOSE 8080 53/udp 9000-9001
VOLUME /data
STOPSIGNAL SIGQUIT
HEALTHCHECK --interval=5s --retries=2 CMD cat /exec
ENTRYPOINT ["/bin/sh"]
ONBUILD RUN echo triggered > /onbuild
""", labels={"from.cli": "yes"}, tags=("meta:1",))
    config = built.image.config.obj["config"]
    assert config["Shell"] == ["/bin/sh", "-ec"]
    assert config["Labels"] == {"org.example.name": "the app", "version": "1", "from.cli": "yes"}
    assert set(config["ExposedPorts"]) == {"8080/tcp", "53/udp", "9000/tcp", "9001/tcp"}
    assert config["Volumes"] == {"/data": {}} and config["StopSignal"] == "SIGQUIT"
    assert config["Healthcheck"] == {"Test": ["CMD-SHELL", "cat /exec"], "Interval": 5_000_000_000, "Retries": 2}
    assert config["Entrypoint"] == ["/bin/sh"] and config.get("Cmd") is None  # ENTRYPOINT drops the base's CMD
    assert config["OnBuild"] == ["RUN echo triggered > /onbuild"]
    assert built.file("/exec").read_text() == "exec form\n" and built.file("/shell").read_text() == "shell form\n"
    history = [h["created_by"] for h in built.image.config.obj["history"]]
    assert "/bin/sh -ec echo shell form > /shell" in history
    assert "/bin/sh -ec #(nop)  STOPSIGNAL SIGQUIT" in history
    assert "Step 12/12 : LABEL from.cli=yes" in built.text

    child = do_build(containers, context, "FROM meta:1\nRUN cat /onbuild\n")
    assert "# Executing 1 build trigger" in child.text
    assert child.file("/onbuild").read_text() == "triggered\n"
    assert not child.image.config.obj["config"].get("OnBuild")
