"""COPY's newer flags and sources on real builds (build_lab): --exclude, --parents, named contexts
(a directory or docker-image://) in FROM, COPY --from and RUN --mount=from."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.build.errors import ContextError
from tests.integration.engine import build_lab

containers = build_lab.containers  # the fixtures
context = build_lab.context
do_build = build_lab.do_build


def tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


EXCLUDE = """\
FROM busybox
COPY --exclude=*.md --exclude=sub/*.log app /app/
COPY --exclude=*.txt hom* /mydir/
"""


def test_copy_exclude_leaves_out_what_its_patterns_match_and_does_not_hash_it(containers, context):
    tree(context, {"app/a.txt": "a\n", "app/b.md": "b\n", "app/sub/c.txt": "c\n", "app/sub/d.log": "d\n",
                   "home.txt": "h\n", "homer.bin": "bin\n"})
    built = do_build(containers, context, EXCLUDE)
    assert built.has("/app/a.txt") and built.has("/app/sub/c.txt")
    assert not built.has("/app/b.md") and not built.has("/app/sub/d.log")
    assert built.has("/mydir/homer.bin") and not built.has("/mydir/home.txt")

    (context / "app" / "b.md").write_text("changed, and excluded\n")
    again = do_build(containers, context, EXCLUDE)
    assert again.text.count(" ---> Using cache") == 2


PARENTS = """\
FROM busybox AS libs
RUN mkdir -p /opt/lib/deep && echo one > /opt/lib/one && echo two > /opt/lib/deep/two

FROM busybox
COPY x/a.txt y/a.txt /no_parents/
COPY --parents x/a.txt y/a.txt /parents/
COPY --parents ./x/./y/*.txt /pivot
COPY --parents src/**/*.txt /deep/
COPY --from=libs --parents /opt/./lib/one /opt/./lib/deep /from/
"""


def test_copy_parents_keeps_the_source_paths_up_to_a_pivot(containers, context):
    tree(context, {"x/a.txt": "xa\n", "y/a.txt": "ya\n", "x/y/b.txt": "xyb\n", "x/y/c.txt": "xyc\n",
                   "src/a.txt": "1\n", "src/x/b.txt": "2\n", "src/x/y/c.txt": "3\n", "src/x/skip.md": "no\n"})
    built = do_build(containers, context, PARENTS)
    assert built.file("/no_parents/a.txt").read_text() == "ya\n"  # the second one wins, as BuildKit's
    assert built.file("/parents/x/a.txt").read_text() == "xa\n"
    assert built.file("/parents/y/a.txt").read_text() == "ya\n"
    assert built.file("/pivot/y/b.txt").read_text() == "xyb\n" and built.has("/pivot/y/c.txt")
    assert not built.has("/pivot/x")
    assert [built.has(f"/deep/src/{p}") for p in ("a.txt", "x/b.txt", "x/y/c.txt", "x/skip.md")] == \
        [True, True, True, False]
    assert built.file("/from/lib/one").read_text() == "one\n"
    assert built.file("/from/lib/deep/two").read_text() == "two\n"


NAMED = """\
FROM busybox AS base
RUN echo from the stage > /which

FROM base
COPY --from=assets /index.html /srv/
RUN --mount=from=assets,target=/mnt/assets cat /mnt/assets/style.css > /style.copy
"""


def test_named_contexts_replace_stages_and_images_in_from_copy_and_mounts(containers, context, tmp_path):
    assets = tmp_path / "assets"
    tree(assets, {"index.html": "<h1>hi</h1>\n", "style.css": "body{}\n", "notes.tmp": "x\n"})
    (assets / ".dockerignore").write_text("*.tmp\n")
    built = do_build(containers, context, NAMED,
                     contexts={"assets": str(assets), "base": "docker-image://busybox"})
    assert built.file("/srv/index.html").read_text() == "<h1>hi</h1>\n"
    assert built.file("/style.copy").read_text() == "body{}\n"
    assert not built.has("/which")  # `base` is the named context (busybox), not the stage of that name

    rootfs = tmp_path / "rootfs"
    tree(rootfs, {"etc/motd": "from a directory\n"})
    plain = do_build(containers, context, "FROM rootfs\n", contexts={"rootfs": str(rootfs)})
    assert plain.file("/etc/motd").read_text() == "from a directory\n"
    assert len(plain.image.diff_ids) == 1

    with pytest.raises(ContextError, match="build context `web`: https://example.invalid/x.git: only a directory"):
        do_build(containers, context, "FROM busybox\n", contexts={"web": "https://example.invalid/x.git"})


def test_the_dockerfiles_own_ignore_file_wins_over_the_contexts(containers, context):
    from engine.build.builder import BuildOptions, build

    tree(context, {"a.txt": "a\n", "b.txt": "b\n", ".dockerignore": "a.txt\n",
                   "Containerfile.dockerignore": "b.txt\n", "Containerfile": "FROM busybox\nCOPY . /ctx/\n"})
    lines: list[str] = []
    result = build(containers, BuildOptions(context=str(context)), say=lines.append,  # no Dockerfile: the Containerfile
                   pull=build_lab.no_registry)
    built = build_lab.Built(containers, result, lines)
    assert built.has("/ctx/a.txt") and not built.has("/ctx/b.txt")
    (context / "Containerfile.dockerignore").unlink()
    plain = build_lab.Built(containers, build(containers, BuildOptions(context=str(context)), say=lines.append,
                                              pull=build_lab.no_registry), [])
    assert plain.has("/ctx/b.txt") and not plain.has("/ctx/a.txt")
