"""COPY and ADD into a state's mounted tree, by Docker's rules; the overlay's upper directory is then the layer.

Where a source lands (the Dockerfile reference's rules):
- DEST relative is under the WORKDIR; missing directories on the way are made (root, 0755).
- A directory source copies its *contents* into DEST (made as a directory).
- A file into DEST when DEST ends with `/`, names an existing directory, or there are
  several sources (then DEST must end with `/`); else it becomes the file DEST.
- Owners are 0:0 unless `--chown` (names looked up in the image's /etc/passwd and
  /etc/group; a user alone means the same number as group); `--chmod` sets every mode.
- ADD extracts a local tar (plain, gzip, bzip2, xz) into DEST, its owners kept.

Paths inside the tree are resolved as `container cp` resolves them (engine.containers.copy):
one component at a time from the root's descriptor, symlinks followed inside the root only,
and entries made without following any symlink.
"""

from __future__ import annotations

import contextlib
import os
import posixpath
import stat
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from engine.build.errors import ContextError
from engine.build.ignore import Matcher
from engine.containers import copy as cp

O_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC


def absolute(dest: str, workdir: str) -> str:
    """DEST under the WORKDIR when relative; a trailing `/` kept (it says "a directory")."""
    path = dest if dest.startswith("/") else posixpath.join(workdir or "/", dest)
    clean = posixpath.normpath(path)
    return clean + "/" if (dest.endswith("/") or dest in (".", "./")) and clean != "/" else clean


def owner_of(root: Path, spec: str | None) -> tuple[int, int]:
    """`--chown` as numbers: `user[:group]`, names from the tree's /etc/passwd and /etc/group."""
    if not spec:
        return 0, 0
    from engine.containers.files import resolve_user

    user, sep, group = spec.partition(":")
    try:
        uid, gid, _ = resolve_user(root, spec)
    except Exception as err:  # noqa: BLE001 - ContainerInvalid, named for the build
        raise ContextError(f"--chown={spec}: {err}") from None
    if not sep and user.isdigit():
        gid = uid
    return uid, gid


@contextlib.contextmanager
def opened_dir(root_fd: int, path: str, *, make: bool, owner: tuple[int, int] = (0, 0)) -> Iterator[int]:
    """A descriptor of directory `path` under the root, made (with its parents) when `make`."""
    parts = [p for p in path.split("/") if p]
    for depth in range(1, len(parts) + 1 if make else 0):
        found = cp.walk(root_fd, "/" + "/".join(parts[:depth]))
        try:
            if found.fd is None:
                os.mkdir(found.name, 0o755, dir_fd=found.parent)
                os.chown(found.name, *owner, dir_fd=found.parent, follow_symlinks=False)
        finally:
            found.close()
    found = cp.walk(root_fd, path)
    try:
        if found.fd is None:
            raise ContextError(f"{path}: no such directory")
        fd = os.open(f"/proc/self/fd/{found.fd}", O_DIR)
    finally:
        found.close()
    try:
        yield fd
    finally:
        os.close(fd)


def kind_at(root_fd: int, path: str) -> str | None:
    """"dir", "file" or None (missing) for `path` under the root, symlinks followed inside it."""
    try:
        found = cp.walk(root_fd, path)
    except (cp.CopyNotFound, NotADirectoryError):
        return None
    except OSError:
        return None
    try:
        if found.fd is None:
            return None
        return "dir" if stat.S_ISDIR(os.fstat(found.fd).st_mode) else "file"
    finally:
        found.close()


def place(root_fd: int, dest: str, is_dir: bool, name: str, several: bool, where: str) -> tuple[str, str | None]:
    """(directory to extract into, the name a file gets there; None for a directory's contents)."""
    if several and not dest.endswith("/"):
        raise ContextError(f"{where}: when using COPY with more than one source file, the destination must be "
                           "a directory and end with a /")
    if is_dir:
        return dest.rstrip("/") or "/", None
    if dest.endswith("/") or kind_at(root_fd, dest) == "dir":
        return dest.rstrip("/") or "/", name
    parent, base = posixpath.split(dest)
    return parent or "/", base


def write_tar(root_fd: int, directory: str, produce: Callable[[IO[bytes]], None], *, make_owner: tuple[int, int],
              owner: tuple[int, int] | None) -> None:
    """Make `directory` (owned `make_owner` where made) and extract the tar `produce` writes into it."""
    with tempfile.TemporaryFile() as tmp:
        produce(tmp)  # type: ignore[arg-type]
        tmp.seek(0)
        with opened_dir(root_fd, directory, make=True, owner=make_owner) as fd:
            cp.extract(tmp, fd, owner=owner)  # type: ignore[arg-type]


def is_archive(path: str) -> bool:
    """A local tar ADD extracts (by its content, as Docker decides, not by its name)."""
    try:
        with tarfile.open(path, mode="r:*") as tar:
            return tar.next() is not None
    except (tarfile.TarError, OSError, EOFError):
        return False


def heredoc_tar(name: str, content: str, owner: tuple[int, int], chmod: int | None) -> Callable[[IO[bytes]], None]:
    def produce(out: IO[bytes]) -> None:
        data = content.encode()
        info = tarfile.TarInfo(name)
        info.size, info.mode = len(data), chmod if chmod is not None else 0o644
        info.uid, info.gid = owner
        import io

        with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tar:
            tar.addfile(info, io.BytesIO(data))

    return produce


def from_tree(src_root: int, path: str, name: str | None, owner: tuple[int, int] | None,
              chmod: int | None, exclude: Matcher | None = None) -> Callable[[IO[bytes]], None]:
    """A tar of `path` in another state's tree (`COPY --from`): a file as `name`, a directory's contents;
    `exclude` leaves out the paths under the directory it matches. `owner` None keeps each entry's own
    (COPY --from without --chown preserves ownership, in Docker's legacy builder and in BuildKit)."""
    def produce(out: IO[bytes]) -> None:
        found = cp.walk(src_root, path)
        try:
            if found.fd is None:
                raise ContextError(f"{path}: not found")
            with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                if stat.S_ISDIR(os.fstat(found.fd).st_mode):
                    top = os.open(f"/proc/self/fd/{found.fd}", O_DIR)
                    try:
                        for child in sorted(os.listdir(top)):
                            _tree(tar, top, child, child, owner, chmod, exclude=exclude)
                    finally:
                        os.close(top)
                else:
                    _tree(tar, found.parent, found.name, name or found.name, owner, chmod, follow=True)
        finally:
            found.close()

    return produce


def _tree(tar: tarfile.TarFile, dir_fd: int, name: str, arcname: str, owner: tuple[int, int] | None,
          chmod: int | None, follow: bool = False, exclude: Matcher | None = None) -> None:
    if exclude is not None and exclude.excluded(arcname):
        return
    st = os.stat(name, dir_fd=dir_fd, follow_symlinks=follow)
    info = tarfile.TarInfo(arcname)
    info.uid, info.gid = owner if owner is not None else (st.st_uid, st.st_gid)
    info.mode = chmod if chmod is not None else stat.S_IMODE(st.st_mode)
    info.mtime = int(st.st_mtime)
    if stat.S_ISLNK(st.st_mode):
        info.type, info.linkname, info.mode = tarfile.SYMTYPE, os.readlink(name, dir_fd=dir_fd), 0o777
        tar.addfile(info)
    elif stat.S_ISREG(st.st_mode):
        fd = os.open(name, os.O_RDONLY | os.O_CLOEXEC | (0 if follow else os.O_NOFOLLOW), dir_fd=dir_fd)
        with os.fdopen(fd, "rb") as f:
            info.size = os.fstat(f.fileno()).st_size
            tar.addfile(info, f)
    elif stat.S_ISDIR(st.st_mode):
        info.type = tarfile.DIRTYPE
        tar.addfile(info)
        fd = os.open(name, O_DIR | os.O_NOFOLLOW, dir_fd=dir_fd)
        try:
            for child in sorted(os.listdir(fd)):
                _tree(tar, fd, child, f"{arcname}/{child}", owner, chmod, exclude=exclude)
        finally:
            os.close(fd)


def glob_in_tree(src_root: int, pattern: str) -> list[str]:
    """`COPY --from=stage /app/*.txt`: the matches of a glob in its last component only."""
    import fnmatch

    parent, base = posixpath.split(pattern)
    if not any(c in base for c in "*?["):
        return [pattern]
    try:
        with opened_dir(src_root, parent or "/", make=False) as fd:
            names = sorted(os.listdir(fd))
    except (ContextError, OSError):
        return []
    return [posixpath.join(parent or "/", n) for n in names if fnmatch.fnmatchcase(n, base)]


def tree_kind(src_root: int, path: str) -> str | None:
    return kind_at(src_root, path)


def is_tree_root(path: str) -> bool:
    return posixpath.normpath("/" + path) == "/"


def chmod_of(spec: str | None, where: str) -> int | None:
    if spec is None:
        return None
    try:
        value = int(spec, 8)
    except ValueError:
        raise ContextError(f"{where}: --chmod={spec}: only octal modes (like 755) are supported") from None
    if not 0 <= value <= 0o7777:
        raise ContextError(f"{where}: --chmod={spec}: not a mode")
    return value
