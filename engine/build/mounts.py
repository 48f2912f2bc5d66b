"""`RUN --mount`: what each mount of a RUN step shows its container, and what of it the cache key holds.

Two phases: `plan` (before the cache is asked: checks each mount, and says what decides
the step's result) and `materialize` (when the step runs: makes the host side of each
mount, undone by the caller's ExitStack).

- `type=bind` (the default): a file or directory of the build context (`source`,
  default its root, `.dockerignore` applied), of a named context, of a stage or of an
  image (`from=`). Read-only unless `rw`; what the step writes there is thrown away.
  The content it shows is part of the cache key, as COPY's is.
- `type=cache`: a directory kept between builds under `<root>/build-cache/mounts/`,
  one per `id` (default: the target), made with `mode`/`uid`/`gid` (0755, 0, 0).
  `sharing=shared` (default) lets steps use it at once, `locked` makes them take turns,
  `private` gives a step a fresh empty directory while another holds it. Its content
  never invalidates a step; `builder prune` empties it. `from=`/`source=` (a cache
  seeded from a stage) is refused by name.
- `type=tmpfs`: a tmpfs (`size` in bytes, or with k/m/g).
- `type=secret` and `type=ssh` are refused: pycompose's builder takes no secrets.

A relative target is under the WORKDIR. A mount point the step had to make (a
directory, or an empty file for a file) stays in the layer, as BuildKit leaves it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import posixpath
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from engine.build import instructions as i
from engine.build.context import Context, Source
from engine.build.errors import DockerfileError
from engine.build.state import State, mounted

if TYPE_CHECKING:
    from engine.build.session import Session
    from engine.containers.options import Mount

OPTIONS = {"bind": set(), "cache": {"mode", "uid", "gid"}, "tmpfs": {"size"}}
SHARING = ("shared", "private", "locked")
_SIZE = re.compile(r"^(\d+)([kmg]?)b?$", re.IGNORECASE)


@dataclass(frozen=True)
class Planned:
    """A RUN's mounts as planned: where each comes from and goes."""

    mount: i.Mount
    target: str                          # absolute, in the container
    key: str                             # what of the mount decides the step's result
    source: State | Context | None = None  # bind: where from
    path: Source | str | None = None     # bind: the Source in a context, or the path in a State's tree
    options: tuple[tuple[str, str], ...] = ()


def plan(session: Session, ins: i.Run, workdir: str) -> list[Planned]:
    return [_plan_one(session, ins, m, workdir) for m in ins.mounts]


def _fail(session: Session, ins: i.Run, reason: str, hint: str | None = None) -> DockerfileError:
    return DockerfileError(session.file, ins.line, f"RUN --mount: {reason}", hint=hint)


def _plan_one(session: Session, ins: i.Run, m: i.Mount, workdir: str) -> Planned:
    if m.type in ("secret", "ssh"):
        raise _fail(session, ins, f"type={m.type} is not supported: pycompose's builder takes no build secrets "
                                  "or SSH agents", hint="copy what the step needs from a stage, or bind it from "
                                                        "the context (--mount=type=bind,source=...)")
    allowed = OPTIONS[m.type]
    for key, value in m.options:
        if key not in allowed:
            raise _fail(session, ins, f"unexpected key '{key}' in '{key}={value}' for a {m.type} mount")
    target = posixpath.normpath(posixpath.join(workdir or "/", m.target))
    if m.type == "tmpfs":
        size = _size(session, ins, dict(m.options).get("size"))
        return Planned(m, target, f"tmpfs {target} {size}", options=(("size", str(size)),) if size else ())
    if m.type == "cache":
        if m.from_ or m.source:
            raise _fail(session, ins, "a cache mount seeded from a stage or image (from=, source=) is not "
                                      "supported", hint="fill the cache directory in the step itself")
        if m.sharing is not None and m.sharing not in SHARING:
            raise _fail(session, ins, f"unsupported sharing value {m.sharing!r}: use shared, private or locked")
        options = dict(m.options)
        for name in ("mode", "uid", "gid"):
            if name in options and not re.fullmatch(r"[0-7]+" if name == "mode" else r"\d+", options[name]):
                raise _fail(session, ins, f"invalid {name} {options[name]!r} for a cache mount")
        return Planned(m, target, f"cache {target} {m.id or target} {m.readonly}", options=tuple(options.items()))
    return _plan_bind(session, ins, m, target)


def _plan_bind(session: Session, ins: i.Run, m: i.Mount, target: str) -> Planned:
    source = session.source(m.from_, ins.line) if m.from_ else session.context()
    word = m.source or "."
    flags = f"bind {target} {'ro' if m.readonly else 'rw'}"
    if isinstance(source, State):
        path = posixpath.normpath("/" + word)
        return Planned(m, target, f"{flags} from {source.id} {path}", source, path)
    where = f"{session.file}:{ins.line}: RUN --mount"
    if any(c in word for c in "*?["):
        raise _fail(session, ins, f"source {word!r}: a bind mount's source cannot be a pattern")
    [found] = source.sources([word], where)
    named = "" if m.from_ is None else f" context {source.root}"
    return Planned(m, target, f"{flags}{named} {source.digest([found])}", source, found)


def _size(session: Session, ins: i.Run, text: str | None) -> int | None:
    if text is None:
        return None
    match = _SIZE.match(text.strip())
    if not match:
        raise _fail(session, ins, f"invalid size {text!r} for a tmpfs mount (bytes, or a number with k, m or g)")
    return int(match.group(1)) * 1024 ** " kmg".index((match.group(2) or " ").lower())


def materialize(session: Session, planned: list[Planned], stack: contextlib.ExitStack) -> tuple[Mount, ...]:
    """The container's mounts for this step; what they need on the host lives until `stack` closes."""
    from engine.containers.options import Mount

    out = []
    for p in planned:
        m = p.mount
        if m.type == "tmpfs":
            size = dict(p.options).get("size")
            out.append(Mount("tmpfs", p.target, size=int(size) if size else None))
        elif m.type == "cache":
            out.append(Mount("bind", p.target, source=stack.enter_context(_cache_dir(session, p)),
                             read_only=m.readonly))
        else:
            out.append(Mount("bind", p.target, source=_bind_source(session, p, stack), read_only=m.readonly))
    return tuple(out)


def _bind_source(session: Session, p: Planned, stack: contextlib.ExitStack) -> str:
    from engine.runtime.mounts import secure_join

    if isinstance(p.source, State):
        root, _ = stack.enter_context(mounted(session.images, p.source, session.work))
        path = secure_join(str(root), str(p.path))
        if not os.path.lexists(path):
            raise DockerfileError(session.file, None, f"RUN --mount from={p.mount.from_}: {p.path} not found in "
                                                      "that stage or image")
        return path  # an rw mount writes into this snapshot's upper directory, removed with it
    assert isinstance(p.source, Context) and isinstance(p.path, Source)
    ctx, source = p.source, p.path
    full = os.path.join(ctx.root, source.path)
    if p.mount.readonly and ctx.whole(source.path):
        return os.path.realpath(full)  # read in place: nothing under it is ignored, nothing can be written
    copy = Path(tempfile.mkdtemp(prefix="bind-", dir=session.work))
    stack.callback(shutil.rmtree, copy, ignore_errors=True)
    if not source.is_dir:
        shutil.copy2(os.path.realpath(full), copy / "file")
        return str(copy / "file")
    _extract_context(ctx, source, copy)
    return str(copy)


def _extract_context(ctx: Context, source: Source, into: Path) -> None:
    """The kept files of a context directory, copied under `into` (what the ignore file leaves out is not)."""
    from engine.build import copying

    fd = os.open(into, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        copying.write_tar(fd, "/", lambda out: ctx.tar(source, out, None), make_owner=(0, 0), owner=None)
    finally:
        os.close(fd)


def cache_root(state_root: Path) -> Path:
    return Path(state_root) / "build-cache" / "mounts"


@contextlib.contextmanager
def _cache_dir(session: Session, p: Planned) -> Iterator[str]:
    """The cache's directory (made on first use), held as its `sharing` says while the step runs."""
    ident = p.mount.id or p.target
    home = cache_root(session.images.root) / hashlib.sha256(ident.encode()).hexdigest()[:32]
    home.mkdir(parents=True, exist_ok=True)
    data = home / "data"
    options = dict(p.options)
    if not data.exists():
        made = Path(tempfile.mkdtemp(prefix="new-", dir=home))
        os.chmod(made, int(options.get("mode", "755"), 8))
        os.chown(made, int(options.get("uid", "0")), int(options.get("gid", "0")))
        try:
            os.rename(made, data)
        except OSError:  # another build made it first
            os.rmdir(made)
    sharing = p.mount.sharing or "shared"
    fd = os.open(home / "lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        if sharing == "private":
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:  # another step holds it: this one gets its own, empty and thrown away
                fresh = Path(tempfile.mkdtemp(prefix="cache-", dir=session.work))
                os.chmod(fresh, int(options.get("mode", "755"), 8))
                os.chown(fresh, int(options.get("uid", "0")), int(options.get("gid", "0")))
                try:
                    yield str(fresh)
                finally:
                    shutil.rmtree(fresh, ignore_errors=True)
                return
        else:
            fcntl.flock(fd, fcntl.LOCK_EX if sharing == "locked" else fcntl.LOCK_SH)
        yield str(data)
    finally:
        os.close(fd)
