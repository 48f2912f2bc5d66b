"""COPY and ADD as build steps: from the context, a named context, a stage or an image, into a new layer.

    state = copy(stage, state, ins, shell)

The sources are resolved first (globs, `.dockerignore`, `--exclude`), so that their
content is part of the cache key; on a miss the state's tree is mounted and each
source is written into it (copying.py has Docker's rules for where each lands).

- `--exclude=<pattern>` (repeatable): `.dockerignore` patterns, matched against the
  path under a directory source (a file source: against its name); what matches is
  neither copied nor hashed.
- `--parents`: each source keeps its path (relative to the context, or to the root of
  the stage or image), under DEST; a `/./` in the source ends the part that is
  dropped (`x/./y/a.txt` lands as `DEST/y/a.txt`), as rsync's `--relative`.
- `--link` is accepted and copies as a plain COPY does: into the tree of the step before
  (a symlink on the way to DEST is followed, where BuildKit's --link would make plain
  directories), and cached under the parent's ID (BuildKit can reuse a --link layer on
  another parent; here a changed parent copies again).
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import shutil
from typing import TYPE_CHECKING, Any

from engine.build import copying, ignore, steps
from engine.build import instructions as i
from engine.build.context import Context, Source
from engine.build.errors import ContextError
from engine.build.state import State, add_layer, mounted

if TYPE_CHECKING:
    from engine.build.stage import StageBuild

Owner = tuple[int, int]


def exclusions(patterns: tuple[str, ...]) -> ignore.Matcher | None:
    compiled = tuple(p for p in (ignore.compile_pattern(text) for text in patterns) if p is not None)
    return ignore.Matcher(compiled) if compiled else None


def pivot(word: str) -> str:
    """The part of a `--parents` source that is dropped: what comes before a `/./` (none: nothing)."""
    body = word.removeprefix("./")
    if "/./" not in body:
        return ""
    return posixpath.normpath("/" + body.split("/./", 1)[0]).lstrip("/")


def copy(stage: StageBuild, state: State, ins: i.Copy | i.Add, shell: tuple[str, ...]) -> State:
    session = stage.session
    where = session.where(ins)
    dest = copying.absolute(ins.dest, state.run_config.get("WorkingDir") or "/")
    parents = isinstance(ins, i.Copy) and ins.parents
    if parents and not dest.endswith("/"):
        dest += "/"
    chmod = copying.chmod_of(ins.chmod, where)
    heredocs = {d.name: d for d in ins.heredocs}
    words = [s for s in ins.sources if heredoc_of(s, heredocs) is None]
    exclude = exclusions(ins.exclude)
    from_ref = ins.from_ if isinstance(ins, i.Copy) else None
    source = session.source(from_ref, ins.line) if from_ref is not None else session.context() if words else None
    several = len(ins.sources) > 1
    flags = f"--chown={ins.chown} " if ins.chown else ""
    flags += f"--chmod={ins.chmod} " if ins.chmod else ""
    picked: list[tuple[str, Source]] = []
    if isinstance(source, State):
        content = f"from {source.id} " + " ".join(words)
        kind = "multi" if several else "dir"
    else:
        if source is not None:
            picked = [(word, found) for word in words for found in source.sources([word], where)]
            if exclude is not None:  # a file the patterns leave out is not a source at all
                picked = [(w, s) for w, s in picked if s.is_dir or source.members(s, exclude)]
        several = several or len(picked) > 1
        prefix = f"context {source.root} " if source is not None and from_ref is not None else ""  # a named one
        content = prefix + (source.digest([s for _, s in picked], exclude) if source is not None else "")
        content += "".join(f"\0{d.name}\0{d.content}" for d in ins.heredocs)
        kind = "multi" if several else ("dir" if picked and picked[0][1].is_dir else "file")
    content += "".join(f"\0exclude {p}" for p in ins.exclude) + ("\0parents" if parents else "")
    digest = hashlib.sha256(content.encode()).hexdigest()
    created_by = steps.nop(shell, f"{ins.keyword} {flags}{kind}:{digest} in {dest} ", spaces=1)
    job = _Copy(stage, ins, dest, chmod, several or parents, where, exclude, parents)

    def make() -> State:
        with mounted(stage.images, state, session.work) as (root, upper):
            fd = os.open(root, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
            try:
                job.owner = copying.owner_of(root, ins.chown)
                for name in ins.sources:
                    doc = heredoc_of(name, heredocs)
                    if doc is not None:
                        job.heredoc(fd, doc)
                if isinstance(source, State):
                    job.from_state(fd, source, words)
                elif source is not None:
                    job.from_context(fd, source, picked)
            finally:
                os.close(fd)
            layer, diff_id = add_layer(stage.images, upper, state.layer_media_type(), mounted_at=root)
        return state.with_config(state.run_config, created_by, layer=layer, diff_id=diff_id)

    return stage.cached_step(state, created_by, content, make)


class _Copy:
    """One COPY/ADD's writes into a mounted tree (its descriptor `fd`)."""

    def __init__(self, stage: StageBuild, ins: i.Copy | i.Add, dest: str, chmod: int | None, several: bool,
                 where: str, exclude: ignore.Matcher | None, parents: bool):
        self.stage, self.ins, self.dest, self.chmod = stage, ins, dest, chmod
        self.several, self.where, self.exclude, self.parents = several, where, exclude, parents
        self.owner: Owner = (0, 0)

    def _place(self, fd: int, is_dir: bool, name: str, kept: str | None) -> tuple[str, str | None]:
        """(directory to write into, a file's name there): Docker's rules, or under DEST by its kept path."""
        if kept is None:
            return copying.place(fd, self.dest, is_dir, name, self.several, self.where)
        base = self.dest.rstrip("/") or "/"
        if is_dir:
            return posixpath.normpath(posixpath.join(base, kept)), None
        return posixpath.normpath(posixpath.join(base, posixpath.dirname(kept))), posixpath.basename(kept)

    def heredoc(self, fd: int, doc: i.Heredoc) -> None:
        directory, fname = copying.place(fd, self.dest, False, doc.name, self.several, self.where)
        copying.write_tar(fd, directory, copying.heredoc_tar(fname or doc.name, doc.content, self.owner, self.chmod),
                          make_owner=self.owner, owner=None)

    def from_context(self, fd: int, ctx: Context, picked: list[tuple[str, Source]]) -> None:
        ins, owner = self.ins, self.owner
        for word, source in picked:
            full = os.path.join(ctx.root, source.path)
            if isinstance(ins, i.Add) and not source.is_dir and copying.is_archive(full):
                def produce(out: Any, full: str = full) -> None:
                    with open(full, "rb") as f:
                        shutil.copyfileobj(f, out)

                copying.write_tar(fd, self.dest.rstrip("/") or "/", produce, make_owner=owner,
                                  owner=owner if ins.chown else None)
                continue
            kept = _kept(source.path, pivot(word)) if self.parents else None
            directory, fname = self._place(fd, source.is_dir, os.path.basename(source.path), kept)
            copying.write_tar(fd, directory,
                              lambda out, s=source, n=fname: ctx.tar(s, out, n, owner=owner, chmod=self.chmod,
                                                                     exclude=self.exclude),
                              make_owner=owner, owner=None)

    def from_state(self, fd: int, source: State, words: list[str]) -> None:
        stage = self.stage
        with mounted(stage.images, source, stage.session.work) as (src_root, _):
            src = os.open(src_root, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
            try:
                paths = [(word, p) for word in words
                         for p in copying.glob_in_tree(src, posixpath.normpath("/" + word.lstrip("/")))]
                if not paths:
                    raise ContextError(f"{self.where}: no source files were specified")
                self.several = self.several or len(paths) > 1
                for word, path in paths:
                    kind = copying.tree_kind(src, path)
                    if kind is None:
                        raise ContextError(f"{self.where}: {path} not found in the source stage or image")
                    name = posixpath.basename(path)
                    if kind != "dir" and self.exclude is not None and self.exclude.excluded(name):
                        continue
                    kept = _kept(path.lstrip("/"), pivot(word.lstrip("/"))) if self.parents else None
                    directory, fname = self._place(fd, kind == "dir", name, kept)
                    owner = self.owner if self.ins.chown else None  # without --chown: the source's owners
                    copying.write_tar(fd, directory, copying.from_tree(src, path, fname, owner, self.chmod,
                                                                       self.exclude),
                                      make_owner=self.owner, owner=owner)
            finally:
                os.close(src)


def _kept(path: str, dropped: str) -> str:
    """The part of `path` that `--parents` keeps: all of it, or what follows its pivot."""
    return posixpath.relpath(path, dropped) if dropped else path


def heredoc_of(word: str, heredocs: dict[str, i.Heredoc]) -> i.Heredoc | None:
    if not word.startswith("<<"):
        return None
    name = word.lstrip("<-").strip("\"'")
    return heredocs.get(name)
