"""RUN --mount on real containers (build_lab): cache directories kept between builds, binds from the context
and from stages, tmpfs, the refusal of secrets; and a RUN's /dev/shm size and /etc/hosts lines."""

from __future__ import annotations

import pytest

from engine.build.cache import BuildCache
from engine.build.errors import ContextError, DockerfileError
from tests.integration.engine import build_lab

containers = build_lab.containers  # the fixtures
context = build_lab.context
do_build = build_lab.do_build

CACHED = """\
FROM busybox
ARG RUN_ID
RUN --mount=type=cache,target=/var/cache/app,id=app-cache echo "$RUN_ID" >> /var/cache/app/log \\
    && cat /var/cache/app/log > /seen
RUN --mount=type=cache,target=/owned,uid=65534,gid=65534,mode=0700 stat -c '%u %g %a' /owned > /owned.txt
"""


def test_a_cache_mount_keeps_its_files_between_builds_out_of_the_image_until_builder_prune(containers, context):
    first = do_build(containers, context, CACHED, build_args={"RUN_ID": "one"})
    assert first.file("/seen").read_text() == "one\n"
    assert first.file("/owned.txt").read_text() == "65534 65534 700\n"
    assert first.file("/var/cache/app").is_dir() and not first.has("/var/cache/app/log")  # the mount point only

    second = do_build(containers, context, CACHED, build_args={"RUN_ID": "two"})
    assert second.file("/seen").read_text() == "one\ntwo\n"  # the first build's file was still there

    again = do_build(containers, context, CACHED, build_args={"RUN_ID": "two"})
    assert again.text.count(" ---> Using cache") == 3  # its content changed, the step's cache did not

    removed, _ = BuildCache(containers.roots.state, containers.images).prune()
    assert removed >= 2
    third = do_build(containers, context, CACHED, build_args={"RUN_ID": "three"})
    assert third.file("/seen").read_text() == "three\n"


BIND = """\
FROM busybox AS tools
RUN mkdir -p /opt/tools && echo "tool v1" > /opt/tools/version

FROM busybox
WORKDIR /work
RUN --mount=type=bind,source=src,target=/src \\
    --mount=from=tools,source=/opt/tools,target=tools \\
    ls /src > /listing && cat /src/main.txt /work/tools/version > /read \\
    && (touch /src/new 2>/dev/null && echo writable || echo read-only) > /mode
RUN --mount=type=bind,source=src/main.txt,target=/in.txt,rw echo appended >> /in.txt && cat /in.txt > /rw
"""


def test_a_bind_mount_shows_the_context_or_a_stage_read_only_and_its_content_is_in_the_cache_key(containers,
                                                                                                 context):
    (context / "src").mkdir()
    (context / "src" / "main.txt").write_text("main\n")
    (context / "src" / "secret.key").write_text("key\n")
    (context / ".dockerignore").write_text("src/*.key\n")
    built = do_build(containers, context, BIND)
    assert built.file("/listing").read_text() == "main.txt\n"  # .dockerignore applies to the mount too
    assert built.file("/read").read_text() == "main\ntool v1\n"  # a relative target is under the WORKDIR
    assert built.file("/mode").read_text() == "read-only\n"
    assert built.file("/rw").read_text() == "main\nappended\n"  # rw: writable, and the write is thrown away
    assert (context / "src" / "main.txt").read_text() == "main\n"
    assert not built.has("/src/main.txt") and not built.has("/work/tools/version")

    again = do_build(containers, context, BIND)
    assert "Running in" not in again.text
    (context / "src" / "main.txt").write_text("changed\n")
    changed = do_build(containers, context, BIND)
    assert changed.text.count("Running in") == 2 and changed.file("/read").read_text() == "changed\ntool v1\n"

    with pytest.raises(ContextError, match=r"Dockerfile:2: RUN --mount: .*'missing' not found"):
        do_build(containers, context, "FROM busybox\nRUN --mount=source=missing,target=/m true\n")


def test_tmpfs_mounts_shm_size_and_extra_hosts_shape_the_run_container(containers, context):
    built = do_build(containers, context, """\
FROM busybox
RUN --mount=type=tmpfs,target=/scratch,size=2m echo temp > /scratch/f && df -k /scratch | tail -n 1 > /tmpfs \\
    && df -k /dev/shm | tail -n 1 > /shm && cat /etc/hosts > /hosts
""", shm_size=8 * 1024 * 1024, extra_hosts=(("registry.local", "10.1.2.3"),))
    assert built.file("/tmpfs").read_text().split()[1] == "2048"
    assert built.file("/shm").read_text().split()[1] == "8192"
    assert "10.1.2.3\tregistry.local" in built.file("/hosts").read_text().splitlines()
    assert built.file("/scratch").is_dir() and not built.has("/scratch/f")


@pytest.mark.parametrize("kind", ["secret", "ssh"])
def test_secret_and_ssh_mounts_are_refused_by_name_before_anything_runs(containers, context, kind):
    with pytest.raises(DockerfileError) as refused:
        do_build(containers, context, f"FROM busybox\nRUN echo first\nRUN --mount=type={kind},id=x cat /run/x\n")
    assert refused.value.message.startswith(f"Dockerfile:3: RUN --mount: type={kind} is not supported")
