"""The build context, read in place: which files COPY/ADD may name, their content digest, and their tar.

`Context.open(directory, dockerfile)` reads the ignore file and walks the directory once;
`sources(words, where)` turns a COPY's source words into the context paths they name
(globs as Go's filepath.Match, a directory with everything under it that the ignore file
keeps); `digest(paths)` hashes names, types, modes and bytes (not owners or times: a
fresh checkout hits the cache); `tar(paths, ...)` writes them as a tar stream with the
names, owner and mode COPY gives them.

Sources are relative to the context root (a leading `/` too); one that climbs out of it
(`../x`, or a symlink pointing outside) is refused, as Docker refuses it.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import posixpath
import re
import stat
import tarfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO

from engine.build import ignore
from engine.build.errors import ContextError

_GLOB = re.compile(r"[*?\[]")


@dataclass(frozen=True)
class Source:
    """One source a COPY names: its path in the context and whether it is a directory (its contents copied)."""

    path: str
    is_dir: bool


@dataclass
class Context:
    """A build context: its directory and the ignore rules that apply to it."""

    root: str
    kept: list[str] = field(default_factory=list)  # every path the ignore file keeps, walk order
    _kept_set: set[str] = field(default_factory=set)
    excluded: list[str] = field(default_factory=list)  # the paths the ignore file left out (as met in the walk)

    @classmethod
    def open(cls, directory: str, dockerfile: str | None = "Dockerfile") -> Context:
        """`dockerfile` finds its own `<Dockerfile>.dockerignore`; None (a named context): the root's only."""
        if not os.path.isdir(directory):
            raise ContextError(f"unable to prepare context: path {directory!r} not found")
        found = ignore.find_ignore_file(directory, dockerfile)
        patterns: tuple[ignore.Pattern, ...] = ()
        if found:
            with open(found, encoding="utf-8") as f:
                patterns = ignore.read_patterns(f.read(), found)
        excluded: list[str] = []
        kept = ignore.walk(directory, patterns, excluded)
        return cls(os.path.abspath(directory), kept, set(kept), excluded)

    def whole(self, rel: str) -> bool:
        """Is nothing at or under `rel` left out by the ignore file (so the directory can be used as it is)?"""
        if rel in (".", ""):
            return not self.excluded
        return not any(e == rel or e.startswith(rel + "/") for e in self.excluded)

    def _clean(self, word: str, where: str) -> str:
        rel = posixpath.normpath("/" + word).lstrip("/")
        if posixpath.normpath(word.lstrip("/")).startswith("..") and not word.startswith("/"):
            raise ContextError(f"{where}: forbidden path outside the build context: {word}")
        return rel or "."

    def sources(self, words: Iterable[str], where: str) -> list[Source]:
        """The paths `words` name, in order; a word naming nothing is an error."""
        out: list[Source] = []
        for word in words:
            rel = self._clean(word, where)
            if _GLOB.search(rel):
                deep = re.compile(ignore.translate(rel), re.DOTALL) if "**" in rel else None
                matched = [p for p in self.kept if (deep.fullmatch(p) if deep else _match(rel, p))]
                if not matched:
                    raise ContextError(f"{where}: no source files were specified (no match for {word!r})")
                out += [self._source(p, where) for p in matched]
                continue
            if rel != "." and rel not in self._kept_set:
                full = os.path.join(self.root, rel)
                reason = "excluded by .dockerignore" if os.path.lexists(full) else "no such file or directory"
                raise ContextError(f"{where}: failed to compute cache key: {word!r} not found: {reason}")
            out.append(self._source(rel, where))
        return out

    def _source(self, rel: str, where: str) -> Source:
        full = os.path.join(self.root, rel)
        real = os.path.realpath(full)
        if real != self.root and not real.startswith(self.root + os.sep):
            raise ContextError(f"{where}: forbidden path outside the build context: {rel} ({real})")
        return Source(rel, os.path.isdir(real))

    def members(self, source: Source, exclude: ignore.Matcher | None = None) -> list[str]:
        """The source and, for a directory, every kept path under it (walk order); `exclude` (COPY --exclude)
        leaves out what its patterns match, by the path under the source directory (a file: by its name)."""
        if not source.is_dir:
            return [] if exclude and exclude.excluded(posixpath.basename(source.path)) else [source.path]
        if source.path == ".":
            under = list(self.kept)
        else:
            prefix = source.path + "/"
            under = [p for p in self.kept if p.startswith(prefix)]
        if exclude is not None:
            under = [p for p in under if not exclude.excluded(p if source.path == "." else p[len(source.path) + 1:])]
        return under if source.path == "." else [source.path, *under]

    def digest(self, sources: Iterable[Source], exclude: ignore.Matcher | None = None) -> str:
        """What COPY's result depends on: relative names, types, modes, link targets and file bytes."""
        h = hashlib.sha256()
        for source in sources:
            h.update(f"source {source.path} {source.is_dir}\n".encode())
            for rel in self.members(source, exclude):
                full = os.path.join(self.root, rel)
                st = os.stat(full) if rel == source.path else os.lstat(full)
                h.update(f"{rel}\0{stat.S_IFMT(st.st_mode)}\0{stat.S_IMODE(st.st_mode)}\0".encode())
                if stat.S_ISLNK(st.st_mode):
                    h.update(os.readlink(full).encode())
                elif stat.S_ISREG(st.st_mode):
                    h.update(file_digest(full).encode())
                h.update(b"\n")
        return h.hexdigest()

    def tar(self, source: Source, out: IO[bytes], name: str | None, *, owner: tuple[int, int] = (0, 0),
            chmod: int | None = None, exclude: ignore.Matcher | None = None) -> None:
        """`source` as a tar: a file as `name`, a directory's contents at the top (its own entry left out)."""
        with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tar:
            for rel in self.members(source, exclude):
                if source.is_dir and rel == source.path:
                    continue
                arcname = name if not source.is_dir else posixpath.relpath(rel, source.path)
                full = os.path.join(self.root, rel)
                follow = rel == source.path  # the named source itself is followed, what is under it never
                add_entry(tar, full, arcname or posixpath.basename(rel), owner, chmod, follow=follow)


def add_entry(tar: tarfile.TarFile, full: str, arcname: str, owner: tuple[int, int], chmod: int | None,
              *, follow: bool = False) -> None:
    st = os.stat(full) if follow else os.lstat(full)
    info = tarfile.TarInfo(arcname)
    info.uid, info.gid = owner
    info.mode = chmod if chmod is not None else stat.S_IMODE(st.st_mode)
    info.mtime = int(st.st_mtime)
    if stat.S_ISDIR(st.st_mode):
        info.type = tarfile.DIRTYPE
        tar.addfile(info)
    elif stat.S_ISLNK(st.st_mode):
        info.type, info.linkname = tarfile.SYMTYPE, os.readlink(full)
        info.mode = 0o777
        tar.addfile(info)
    elif stat.S_ISREG(st.st_mode):
        info.size = st.st_size
        with open(full, "rb") as f:
            tar.addfile(info, f)


def file_digest(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _match(pattern: str, path: str) -> bool:
    """Go's filepath.Match: the pattern and the path have as many components, each matched (no `/` crossed)."""
    parts, names = pattern.split("/"), path.split("/")
    return len(parts) == len(names) and all(fnmatch.fnmatchcase(n, p) for p, n in zip(parts, names, strict=True))
