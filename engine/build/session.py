"""`Session`: what every stage of one build shares, and the few things it looks up for them.

The engine (containers and images), the build cache, the options, the Dockerfile and its
lines, the work directory, the stages already built and the named contexts; the build
context is opened once, by the first step that reads it. Stages building in parallel
call into one session, so what it makes lazily it makes under a lock.

    session.context()                   the build context (Context), opened on first use
    session.image("busybox", line)      a base image: the store's, or pulled
    session.source("builder", line)     what `--from=` names: a built stage's State, an image's, or a
                                        named directory context (a Context)
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.build import instructions as i
from engine.build import steps
from engine.build.cache import BuildCache
from engine.build.context import Context
from engine.build.contexts import NamedContext
from engine.build.errors import DockerfileError, did_you_mean
from engine.build.options import BuildOptions
from engine.build.state import State
from engine.images.errors import ImageNotFound
from engine.images.images import Image, ImageService
from pycompose.errors import PycomposeError


class Cancelled(Exception):
    """Another stage failed: this one stops before its next step."""


@dataclass
class Session:
    """What the stages of one build share: options, store, cache, output."""

    containers: Any
    options: BuildOptions
    file: str
    lines: list[str]
    dockerfile: i.Dockerfile
    pull: Callable[[str], Image]
    work: Path
    named: dict[str, NamedContext] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)        # the global ARGs' values (and predefined ones)
    hosts: str | None = None                                   # a file for the RUN containers' /etc/hosts
    dockerfile_path: str = "Dockerfile"                        # where `<Dockerfile>.dockerignore` would be
    names: dict[str, int] = field(default_factory=dict)       # stage name -> index
    results: dict[int, State] = field(default_factory=dict)   # stages built so far
    cancelled: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _contexts: dict[str, Context] = field(default_factory=dict)
    _pulls: dict[str, threading.Lock] = field(default_factory=dict)
    _pulled: set[str] = field(default_factory=set)   # pulled in this build: `--pull` pulls each image once

    @property
    def images(self) -> ImageService:
        return self.containers.images

    @property
    def cache(self) -> BuildCache:
        return BuildCache(self.images.root, self.images)

    def where(self, ins: i.Instruction) -> str:
        return f"{self.file}:{ins.line}: {ins.keyword}"

    def check(self) -> None:
        if self.cancelled.is_set():
            raise Cancelled()

    # -- contexts ------------------------------------------------------------------------
    def context(self, directory: str | None = None) -> Context:
        """The build context, or a named directory context, read (walked, its ignore file applied) once."""
        key = directory or ""
        with self._lock:
            if key not in self._contexts:
                if directory is None:
                    self._contexts[key] = Context.open(self.options.context, self.dockerfile_path)
                else:
                    self._contexts[key] = Context.open(directory, None)
            return self._contexts[key]

    def named_context(self, ref: str) -> NamedContext | None:
        return self.named.get(ref.lower())

    # -- images and stages ---------------------------------------------------------------
    def image(self, reference: str, line: int, what: str | None = None) -> Image:
        """A base (or `COPY --from`) image: the store's, pulled when missing or with `--pull` (once per build).
        `what` names the instruction in an error (default `FROM <reference>`)."""
        with self._lock:
            lock = self._pulls.setdefault(reference, threading.Lock())
        with lock:
            return self._image(reference, line, what or f"FROM {reference}")

    def _image(self, reference: str, line: int, what: str) -> Image:
        if not self.options.pull or reference in self._pulled:
            with contextlib.suppress(ImageNotFound):
                return self.images.get(reference)
        try:
            image = self.pull(reference)
            self._pulled.add(reference)
            return image
        except PycomposeError as err:
            if self.options.pull:
                with contextlib.suppress(ImageNotFound):
                    found = self.images.get(reference)
                    self._pulled.add(reference)
                    return found
            raise DockerfileError(self.file, line, f"{what}: pull access denied or image not found: "
                                                   f"{err.message}") from None

    def source(self, ref: str, line: int) -> State | Context:
        """What `--from=<ref>` names: a named context, a stage (by name or index), else an image."""
        named = self.named_context(ref)
        if named is not None:
            if named.directory is not None:
                return self.context(named.directory)
            assert named.image is not None
            return State.of_image(self.image(named.image, line))
        index = int(ref) if ref.isdigit() else self.names.get(ref.lower())
        if index is not None:
            return self.results[index]
        stage = did_you_mean(ref.lower(), self.names)
        return State.of_image(self.image(ref, line, f"--from={ref}: no stage of that name{stage}, and as an image"))

    def source_text(self, ins: i.Instruction) -> str:
        """The instruction as written (continuations joined; a heredoc's first line only)."""
        if not 0 < ins.line <= len(self.lines):
            return steps.describe(ins)
        end = ins.line if getattr(ins, "heredocs", ()) else ins.end_line
        parts = []
        for raw in self.lines[ins.line - 1:end]:
            stripped = raw.rstrip()
            if stripped.endswith(self.dockerfile.escape):
                stripped = stripped[:-1]
            if not stripped.lstrip().startswith("#"):
                parts.append(stripped.strip())
        return " ".join(p for p in parts if p)
