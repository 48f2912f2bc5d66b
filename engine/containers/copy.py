"""`cp`: files and directories between a container and the host, or a tar stream, as `docker cp` copies them.

    copy.copy(svc, "web:/etc/hosts", "/tmp/hosts")        # out of the container
    copy.copy(svc, "./site", "web:/srv/")                   # into it
    copy.copy(svc, "web:/srv", "-", stdout=sys.stdout.buffer)  # a tar stream of /srv

Every copy is a tar stream between two ends: `produce` walks a source tree from a directory
descriptor and writes tar; `extract` reads tar and makes each entry under a destination
directory descriptor. The container's side is reached through a descriptor of its root:
the root of its mount namespace (/proc/<init>/root: volumes and tmpfs included) while it
runs, else its snapshot mounted at <bundle>/rootfs (where `create` mounts it too).

A path inside the container is resolved by `walk`, one component at a time with
openat(O_PATH|O_NOFOLLOW) from the root's descriptor: a symlink is read and its target
resolved again from the root (absolute) or from where it was met (relative), `..` never
climbs above the root. So `/etc/shadow` or `../../..` in a container's symlink means the
container's own file, whatever the container does meanwhile. Entries are made the same
way: no tar entry may name `..` or go through a symlink, a symlink in the tree is copied
as a symlink (only `-L` follows the source's last one).

Docker's rules for where the copy lands: into an existing directory under the source's
name (its contents with `SRC/.`), over an existing file, or as DEST when DEST does not
exist (its parent must). Owners: the container's root for what is copied in, the user
running pycompose for what is copied out; `-a` keeps the source's uid and gid.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tarfile
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from engine.containers.errors import ContainerInvalid
from engine.errors import EngineError
from pycompose.errors import NotFound

if TYPE_CHECKING:
    from engine.containers.service import ContainerService
    from engine.state import ContainerRecord

MAX_LINKS = 40  # the kernel's limit on symlinks in one resolution
O_PATH = os.O_PATH | os.O_NOFOLLOW | os.O_CLOEXEC
O_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
CHUNK = 1 << 20


class CopyNotFound(EngineError, NotFound):
    """The source, or the destination's parent, does not exist."""


# --- where: `container:path` or a host path ------------------------------------------------------

@dataclass(frozen=True)
class End:
    """One end of a copy: a container and a path in it, or the host."""

    container: str | None  # None: the host (or "-", a tar stream)
    path: str


def split_arg(arg: str) -> End:
    """Docker's splitCpArg: an absolute path or one starting with `.` is the host's, else `CONTAINER:PATH`."""
    if arg.startswith("/"):
        return End(None, arg)
    container, sep, path = arg.partition(":")
    if not sep or container.startswith(".") or not container:
        return End(None, arg)
    return End(container, path or "/")


@dataclass(frozen=True)
class Placement:
    """Where a copy lands: under DEST itself (`into_dest`) or DEST's parent, its top entry renamed to `name`
    (None: the source's contents, its top entry left out)."""

    into_dest: bool
    name: str | None


def place(src_base: str, src_is_dir: bool, contents_only: bool, dest: str, dest_exists: bool,
          dest_is_dir: bool) -> Placement:
    """Docker's cp rules (pure): `src_base` is the source's name, `contents_only` its `SRC/.` form."""
    if dest_exists and dest_is_dir:
        return Placement(True, None if (src_is_dir and contents_only) else src_base)
    if dest_exists:
        if src_is_dir:
            raise ContainerInvalid(f"cannot copy a directory to a file: `{dest}` is a file")
        return Placement(False, _base(dest))
    if dest.endswith("/") and not src_is_dir:
        raise CopyNotFound(f"destination directory `{dest}` does not exist")
    return Placement(False, _base(dest))


def _base(path: str) -> str:
    return os.path.basename(path.rstrip("/")) or "/"


# --- resolving a path under a root, never leaving it -------------------------------------------

@dataclass
class Found:
    """The end of a walk: the object's O_PATH descriptor (None when only the last name is missing), the
    directory it is in, and its name there. The caller closes both (`close()`)."""

    fd: int | None
    parent: int
    name: str

    def close(self) -> None:
        for fd in {self.fd, self.parent} - {None}:
            os.close(fd)  # type: ignore[arg-type]


def _parts(path: str) -> list[str]:
    return [p for p in path.split("/") if p not in ("", ".")]


def walk(root: int, path: str, *, follow_last: bool = True) -> Found:
    """Resolve `path` under the directory descriptor `root` as if `root` were `/` (openat2's RESOLVE_IN_ROOT).

    Raises CopyNotFound when a component other than the last is missing, and ENOTDIR/ELOOP OSErrors.
    """
    stack = [os.dup(root)]  # the directories walked through, root first: `..` pops, never the root
    todo = deque(_parts(path))
    links = 0
    try:
        while todo:
            name = todo.popleft()
            if name == "..":
                if len(stack) > 1:
                    os.close(stack.pop())
                continue
            try:
                fd = os.open(name, O_PATH, dir_fd=stack[-1])
            except FileNotFoundError:
                if todo:
                    raise CopyNotFound(f"no such file or directory: `{path}`") from None
                return Found(None, os.dup(stack[-1]), name)
            mode = os.fstat(fd).st_mode
            if stat.S_ISLNK(mode) and (todo or follow_last):
                links += 1
                _follow(stack, todo, name, fd, path, links)
                continue
            if not todo:
                return Found(fd, os.dup(stack[-1]), name)
            if not stat.S_ISDIR(mode):
                os.close(fd)
                raise OSError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), path)
            stack.append(fd)
        # `/`, or a path ending on `..` or a symlink to a directory: the directory reached
        return Found(os.dup(stack[-1]), os.dup(stack[-2] if len(stack) > 1 else stack[0]),
                     "/" if len(stack) == 1 else ".")
    finally:
        for fd in stack:
            os.close(fd)


def _follow(stack: list[int], todo: deque[str], name: str, fd: int, path: str, links: int) -> None:
    """Replace the symlink `name` (open as `fd` in stack[-1]) by its target's components: from the root when
    it is absolute, from where it was met when relative."""
    target = os.readlink(name, dir_fd=stack[-1])
    os.close(fd)
    if links > MAX_LINKS:
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), path)
    if target.startswith("/"):
        while len(stack) > 1:
            os.close(stack.pop())
    todo.extendleft(reversed(_parts(target)))


def _reopen(fd: int | None, flags: int) -> int:
    """A readable descriptor of the object an O_PATH descriptor holds (through /proc/self/fd: no new lookup)."""
    assert fd is not None
    return os.open(f"/proc/self/fd/{fd}", (flags & ~os.O_NOFOLLOW) | os.O_CLOEXEC)  # the magic link is followed


# --- the producer: a tree as tar -------------------------------------------------------------

def _info(arcname: str, st: os.stat_result) -> tarfile.TarInfo:
    info = tarfile.TarInfo(arcname)
    info.mode = stat.S_IMODE(st.st_mode)
    info.uid, info.gid = st.st_uid, st.st_gid
    info.mtime = int(st.st_mtime)
    kind = stat.S_IFMT(st.st_mode)
    info.type = {stat.S_IFREG: tarfile.REGTYPE, stat.S_IFDIR: tarfile.DIRTYPE, stat.S_IFLNK: tarfile.SYMTYPE,
                 stat.S_IFCHR: tarfile.CHRTYPE, stat.S_IFBLK: tarfile.BLKTYPE,
                 stat.S_IFIFO: tarfile.FIFOTYPE}.get(kind, tarfile.REGTYPE)
    if kind in (stat.S_IFCHR, stat.S_IFBLK):
        info.devmajor, info.devminor = os.major(st.st_rdev), os.minor(st.st_rdev)
    return info


def add_tree(tar: tarfile.TarFile, dir_fd: int, name: str, arcname: str) -> None:
    """Add `name` (in the directory `dir_fd`) and, for a directory, everything under it; no symlink followed."""
    st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    info = _info(arcname, st)
    if stat.S_ISSOCK(st.st_mode):
        return  # tar has no sockets; Docker leaves them out too
    if stat.S_ISLNK(st.st_mode):
        info.linkname = os.readlink(name, dir_fd=dir_fd)
        tar.addfile(info)
    elif stat.S_ISREG(st.st_mode):
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dir_fd)
        with os.fdopen(fd, "rb") as f:
            now = os.fstat(f.fileno())
            if not stat.S_ISREG(now.st_mode):  # replaced meanwhile
                return
            info.size = now.st_size
            tar.addfile(info, f)
    elif stat.S_ISDIR(st.st_mode):
        tar.addfile(info)
        fd = os.open(name, O_DIR, dir_fd=dir_fd)
        try:
            for child in sorted(os.listdir(fd)):
                with contextlib.suppress(FileNotFoundError):  # gone meanwhile
                    add_tree(tar, fd, child, f"{arcname}/{child}")
        finally:
            os.close(fd)
    else:
        tar.addfile(info)


def produce(found: Found, arcname: str, out: IO[bytes]) -> int:
    """Write the tar stream of what `found` names (a tree), its top entry called `arcname`; its size (headers,
    contents and the end blocks, without the padding to a whole record: the size Docker reports)."""
    with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        if found.name in ("/", "."):
            assert found.fd is not None
            top = _reopen(found.fd, O_DIR)
            try:
                tar.addfile(_info(arcname, os.fstat(top)))
                for child in sorted(os.listdir(top)):
                    with contextlib.suppress(FileNotFoundError):
                        add_tree(tar, top, child, f"{arcname}/{child}")
            finally:
                os.close(top)
        else:
            add_tree(tar, found.parent, found.name, arcname)
    return tar.offset


# --- the extractor: tar into a directory -------------------------------------------------------

class _Extractor:
    def __init__(self, dest: int, rename: tuple[str, str | None] | None, owner: tuple[int, int] | None):
        self.dest, self.rename, self.owner = dest, rename, owner
        self.dirs: list[tuple[list[str], tarfile.TarInfo]] = []

    def parts(self, name: str) -> list[str] | None:
        parts = _parts(name)
        if ".." in parts:
            raise ContainerInvalid(f"tar entry `{name}`: a path with `..` is refused")
        if self.rename is not None and parts:
            old, new = self.rename
            if parts[0] == old:
                parts = parts[1:] if new is None else [new, *parts[1:]]
        return parts or None

    def open_dir(self, parts: list[str], make: bool) -> int:
        """The directory `parts` under the destination, each level opened without following a symlink."""
        fd = os.dup(self.dest)
        try:
            for part in parts:
                if make:
                    with contextlib.suppress(FileExistsError):
                        os.mkdir(part, 0o755, dir_fd=fd)
                try:
                    child = os.open(part, O_DIR, dir_fd=fd)
                except OSError as err:
                    if err.errno in (errno.ELOOP, errno.ENOTDIR):
                        raise ContainerInvalid(f"tar entry under `{'/'.join(parts)}`: `{part}` is not a directory "
                                               "(a symlink is never followed)") from None
                    raise
                os.close(fd)
                fd = child
            return fd
        except BaseException:
            os.close(fd)
            raise

    def entry(self, tar: tarfile.TarFile, info: tarfile.TarInfo) -> None:
        parts = self.parts(info.name)
        if parts is None:
            return
        parent = self.open_dir(parts[:-1], make=True)
        name = parts[-1]
        try:
            self._make(tar, info, parent, name)
            uid, gid = self.owner if self.owner is not None else (info.uid, info.gid)
            os.chown(name, uid, gid, dir_fd=parent, follow_symlinks=False)
            if not info.isdir() and not info.issym():
                _chmod(parent, name, info.mode)  # after chown, which clears set-id bits
            if info.isdir():
                self.dirs.append((parts, info))  # mode and time once its children are in
            elif not info.issym():
                os.utime(name, (info.mtime, info.mtime), dir_fd=parent, follow_symlinks=False)
        finally:
            os.close(parent)

    def _make(self, tar: tarfile.TarFile, info: tarfile.TarInfo, parent: int, name: str) -> None:
        try:
            existing = os.stat(name, dir_fd=parent, follow_symlinks=False)
        except FileNotFoundError:
            existing = None
        if existing is not None:
            if stat.S_ISDIR(existing.st_mode):
                if info.isdir():
                    return
                raise ContainerInvalid(f"cannot overwrite directory `{info.name}` with a non-directory")
            if info.isdir():
                raise ContainerInvalid(f"cannot overwrite non-directory `{info.name}` with a directory")
            os.unlink(name, dir_fd=parent)  # a file or a symlink: replaced, never written through
        if info.isdir():
            os.mkdir(name, 0o700, dir_fd=parent)
        elif info.issym():
            os.symlink(info.linkname, name, dir_fd=parent)
        elif info.islnk():
            self._link(info, parent, name)
        elif info.ischr() or info.isblk() or info.isfifo():
            kind = stat.S_IFCHR if info.ischr() else stat.S_IFBLK if info.isblk() else stat.S_IFIFO
            os.mknod(name, kind | 0o600, os.makedev(info.devmajor, info.devminor), dir_fd=parent)
        else:
            fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600,
                         dir_fd=parent)
            with os.fdopen(fd, "wb") as f:
                source = tar.extractfile(info)
                if source is not None:
                    while chunk := source.read(CHUNK):
                        f.write(chunk)

    def _link(self, info: tarfile.TarInfo, parent: int, name: str) -> None:
        target = self.parts(info.linkname)
        if target is None:
            raise ContainerInvalid(f"tar entry `{info.name}`: a hard link to `{info.linkname}`")
        source = self.open_dir(target[:-1], make=False)
        try:
            os.link(target[-1], name, src_dir_fd=source, dst_dir_fd=parent, follow_symlinks=False)
        finally:
            os.close(source)

    def finish(self) -> None:
        for parts, info in reversed(self.dirs):
            fd = self.open_dir(parts, make=False)
            try:
                os.fchmod(fd, info.mode)
                os.utime(fd, (info.mtime, info.mtime))
            finally:
                os.close(fd)


def _chmod(parent: int, name: str, mode: int) -> None:
    fd = os.open(name, O_PATH, dir_fd=parent)
    try:
        if not stat.S_ISLNK(os.fstat(fd).st_mode):
            os.chmod(f"/proc/self/fd/{fd}", mode)
    finally:
        os.close(fd)


def extract(source: IO[bytes], dest: int, *, rename: tuple[str, str | None] | None = None,
            owner: tuple[int, int] | None = None) -> None:
    """Make each entry of the tar stream `source` under the directory descriptor `dest`.

    `rename` (old, new): a top-level entry `old` becomes `new` (None: its contents go straight
    into `dest`); `owner`: (uid, gid) for every entry, else the entries' own.
    """
    extractor = _Extractor(dest, rename, owner)
    with tarfile.open(fileobj=source, mode="r|*") as tar:
        for info in tar:
            extractor.entry(tar, info)
    extractor.finish()


# --- the two ends ----------------------------------------------------------------------------

@contextlib.contextmanager
def container_root(svc: ContainerService, record: ContainerRecord) -> Iterator[int]:
    """A descriptor of the container's root: its mount namespace's while it runs, else its snapshot's."""
    from engine.images.snapshots import mount_all

    pid = svc.container_pid(record)
    if pid:
        try:
            fd = os.open(f"/proc/{pid}/root", os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError:
            fd = -1  # it has just ended: its snapshot then
        if fd >= 0:
            try:
                yield fd
            finally:
                os.close(fd)
            return
    rootfs = svc.bundle(record.id) / "rootfs"
    if not os.path.ismount(rootfs):  # after a reboot: mounted again as `start` does, and left so as `create`
        mount_all(svc.snapshots().mounts(record.id, rootfs))
    fd = os.open(rootfs, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        yield fd
    finally:
        os.close(fd)


class _Counting:
    """A reader that counts what passes (the size `cp` reports)."""

    def __init__(self, raw: IO[bytes]):
        self.raw, self.count = raw, 0

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(n)
        self.count += len(data)
        return data


def _pipe(write: Callable[[IO[bytes]], int], read: Callable[[_Counting], None]) -> int:
    """Run `write(out)` in a thread and `read(in)` here over a pipe; the size `write` returns."""
    r, w = os.pipe()
    errors: list[BaseException] = []
    sizes: list[int] = []

    def produce_side() -> None:
        try:
            with os.fdopen(w, "wb") as out:
                sizes.append(write(out))
        except BaseException as err:  # noqa: BLE001 - handed to the reading side
            errors.append(err)

    thread = threading.Thread(target=produce_side, daemon=True)
    thread.start()
    with os.fdopen(r, "rb") as raw:
        counting = _Counting(raw)
        try:
            read(counting)
        except BaseException:
            thread.join()
            if errors:
                raise errors[0] from None
            raise
        finally:
            with contextlib.suppress(OSError):
                while raw.read(CHUNK):
                    pass  # let the producer finish
    thread.join()
    if errors:
        raise errors[0]
    return sizes[0] if sizes else counting.count


def _oserror(operation: str, where: str, err: OSError) -> EngineError:
    if isinstance(err, FileNotFoundError):
        return CopyNotFound(f"{operation} `{where}`: no such file or directory")
    return ContainerInvalid(f"{operation} `{where}`: {err.strerror or err}")


def _host_found(path: str, follow: bool) -> Found:
    """A host path as a Found: its parent resolved as the host resolves it, its last name (a symlink kept
    unless `follow`)."""
    path = os.path.normpath(path)
    real = os.path.realpath(path) if follow else path
    parent = os.open(os.path.dirname(real) or ".", os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    name = os.path.basename(real)
    if not name or name == "..":  # `/` or `..`: the directory itself
        os.close(parent)
        fd = os.open(real, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
        return Found(fd, os.dup(fd), ".")
    try:
        return Found(os.open(name, O_PATH, dir_fd=parent), parent, name)
    except FileNotFoundError:
        return Found(None, parent, name)


def copy(svc: ContainerService, src: str, dest: str, *, archive: bool = False, follow: bool = False,
         stdin: IO[bytes] | None = None, stdout: IO[bytes] | None = None) -> int:
    """`docker cp SRC DEST`; returns the bytes of the tar stream that was copied."""
    source, target = split_arg(src), split_arg(dest)
    if source.container and target.container:
        raise ContainerInvalid("copying between containers is not supported")
    if not source.container and not target.container:
        raise ContainerInvalid("must specify at least one container source")
    try:
        if source.container:
            return _copy_out(svc, source, target, archive=archive, follow=follow, stdout=stdout)
        return _copy_in(svc, source, target, archive=archive, follow=follow, stdin=stdin)
    except OSError as err:
        raise _oserror("copy", f"{src}` to `{dest}", err) from None
    except tarfile.TarError as err:
        raise ContainerInvalid(f"copy `{src}` to `{dest}`: not a tar stream: {err}") from None


def _transfer(found: Found, source_path: str, dest: Found, target_path: str,
              owner: tuple[int, int] | None) -> int:
    """Stream `found` (named as `source_path` says) to where Docker's rules place it at `dest`; bytes sent."""
    arcname = _src_arcname(source_path, found)
    where = place(arcname, _is_dir(found), _contents_only(source_path), target_path, dest.fd is not None,
                  _is_dir(dest))
    into_fd = _reopen(dest.fd if where.into_dest else dest.parent, O_DIR)
    try:
        return _pipe(lambda out: produce(found, arcname, out),
                     lambda inp: extract(inp, into_fd, rename=(arcname, where.name), owner=owner))
    finally:
        os.close(into_fd)


def _is_dir(found: Found) -> bool:
    return found.fd is not None and stat.S_ISDIR(os.fstat(found.fd).st_mode)


def _copy_out(svc: ContainerService, source: End, target: End, *, archive: bool, follow: bool,
              stdout: IO[bytes] | None) -> int:
    record = svc.get(source.container or "")
    with container_root(svc, record) as root:
        found = walk(root, source.path, follow_last=follow)
        try:
            if found.fd is None:
                raise CopyNotFound(f"could not find the file {source.path} in container {source.container}")
            if source.path.endswith("/") and not _is_dir(found):
                raise ContainerInvalid(f"`{source.path}` is not a directory")
            if target.path == "-":
                assert stdout is not None
                return produce(found, _src_arcname(source.path, found), stdout)
            dest = _host_found(target.path, follow=True)
            try:
                return _transfer(found, source.path, dest, target.path,
                                 owner=None if archive else (os.getuid(), os.getgid()))
            finally:
                dest.close()
        finally:
            found.close()


def _copy_in(svc: ContainerService, source: End, target: End, *, archive: bool, follow: bool,
             stdin: IO[bytes] | None) -> int:
    record = svc.get(target.container or "")
    owner = None if archive else (0, 0)
    with container_root(svc, record) as root:
        dest = walk(root, target.path, follow_last=True)
        try:
            if source.path == "-":
                if not _is_dir(dest):
                    raise ContainerInvalid(f"destination `{target.container}:{target.path}` must be a directory")
                assert stdin is not None
                counting = _Counting(stdin)
                into_fd = _reopen(dest.fd, O_DIR)
                try:
                    extract(counting, into_fd, owner=owner)  # type: ignore[arg-type]
                finally:
                    os.close(into_fd)
                return counting.count
            found = _host_found(source.path, follow=follow)
            try:
                if found.fd is None:
                    raise CopyNotFound(f"could not find the file {source.path} on this host")
                return _transfer(found, source.path, dest, target.path, owner=owner)
            finally:
                found.close()
        finally:
            dest.close()


def _contents_only(path: str) -> bool:
    return path == "." or path.endswith("/.")


def _src_arcname(path: str, found: Found) -> str:
    """The top entry's name: the source's last name (`/` and `dir/.`: the directory's own name)."""
    if found.name not in ("/", "."):
        return found.name
    base = os.path.basename(os.path.normpath(path)) if path not in ("/", "") else ""
    return base if base not in ("", ".", "..", "/") else "root"
