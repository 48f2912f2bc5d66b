"""Named volumes of the local driver: a directory under the state root and a small JSON record.

    volumes = VolumeService(roots())
    vol = volumes.create("demo_data", labels={"com.docker.compose.project": "demo"})
    vol.mountpoint                      # <state root>/volumes/demo_data/_data
    volumes.remove("demo_data")         # refused while a container record mounts it

Layout: `volumes/<name>/volume.json` (name, driver, labels, options, created, mountpoint) and
`volumes/<name>/_data`, the directory containers see. The only driver option taken is the local
driver's bind (`o: bind`, `device: <host dir>`), whose mountpoint is that directory itself;
others are refused by name. An anonymous volume has a random 64-hex name and the label
`com.docker.volume.anonymous`; it goes with its container on `rm -v`, `--rm` and `down -v`.

A new volume takes the image's content at the mount target on its first use while it is
empty (Docker's copy-up), unless the mount says `nocopy`: `copy_up(volume, source)`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.errors import EngineError
from engine.state.record import now
from engine.state.store import Store, new_id, write_atomic
from pycompose.errors import Conflict, InvalidArgument, NotFound

if TYPE_CHECKING:
    from engine.containers.options import Mount
    from engine.roots import Roots
    from engine.state import ContainerRecord

RECORD = "volume.json"
DATA = "_data"
ANONYMOUS = "com.docker.volume.anonymous"
_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]+")


class NoSuchVolume(EngineError, NotFound):
    """No volume has that name."""


class VolumeInUse(EngineError, Conflict):
    """The volume is mounted by containers (named in the message)."""


class VolumeInvalid(EngineError, InvalidArgument):
    """A bad name, driver or driver option."""


@dataclass(frozen=True)
class Volume:
    """A named volume: name, mountpoint, labels, options."""

    name: str
    mountpoint: str
    driver: str = "local"
    labels: dict[str, str] = field(default_factory=dict)
    options: dict[str, str] = field(default_factory=dict)
    created: str = ""

    def to_json(self) -> dict[str, Any]:
        """Docker's `volume inspect` shape."""
        return {"CreatedAt": self.created, "Driver": self.driver, "Labels": self.labels,
                "Mountpoint": self.mountpoint, "Name": self.name, "Options": self.options, "Scope": "local"}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Volume:
        return cls(name=data["Name"], mountpoint=data["Mountpoint"], driver=data.get("Driver") or "local",
                   labels=dict(data.get("Labels") or {}), options=dict(data.get("Options") or {}),
                   created=data.get("CreatedAt") or "")

    @property
    def anonymous(self) -> bool:
        return ANONYMOUS in self.labels


def volume_mounts(record: ContainerRecord) -> list[str]:
    """The names of the volumes container `record` mounts."""
    mounts = record.config.launch.get("options", {}).get("mounts") or []
    return [m["source"] for m in mounts if m.get("type") == "volume" and m.get("source")]


def _mountpoint(root: Path, name: str, driver: str, options: Mapping[str, str]) -> str:
    if driver != "local":
        raise VolumeInvalid(f"create volume `{name}`: driver `{driver}` is not supported", hint="use the local driver")
    if not options:
        return str(root / name / DATA)
    given = dict(options)
    kinds = set(given.pop("o", "").split(","))
    device = given.pop("device", "")
    if given.get("type") in ("none", ""):
        del given["type"]
    if "bind" in kinds and device and not given and kinds <= {"bind", "rbind", ""}:
        if not os.path.isdir(device):
            raise VolumeInvalid(f"create volume `{name}`: bind device `{device}` is not a directory")
        return os.path.abspath(device)
    raise VolumeInvalid(f"create volume `{name}`: driver options {dict(options)} are not supported",
                        hint="pycompose's local driver takes only `o: bind` with `device: <host dir>`")


class VolumeService:
    def __init__(self, roots: Roots):
        self.root = roots.volumes
        self.containers = Store(roots.state)

    def _record(self, name: str) -> Path:
        return self.root / name / RECORD

    def create(self, name: str | None = None, *, driver: str = "local", options: Mapping[str, str] | None = None,
               labels: Mapping[str, str] | None = None) -> Volume:
        """Make volume `name` (a random one when None); an existing one is returned as it is (Docker's way)."""
        name = name or new_id()
        if not _NAME.fullmatch(name):
            raise VolumeInvalid(f"create volume `{name}`: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed in a name")
        try:
            return self.get(name)
        except NoSuchVolume:
            pass
        volume = Volume(name=name, mountpoint=_mountpoint(self.root, name, driver, options or {}), driver=driver,
                        labels=dict(labels or {}), options=dict(options or {}), created=now())
        directory = self.root / name
        directory.mkdir(parents=True, mode=0o700)
        (directory / DATA).mkdir(mode=0o755)
        write_atomic(self._record(name), json.dumps(volume.to_json(), indent=1).encode())
        return volume

    def get(self, name: str) -> Volume:
        try:
            return Volume.from_json(json.loads(self._record(name).read_text()))
        except (FileNotFoundError, NotADirectoryError):
            raise NoSuchVolume(f"get {name}: no such volume") from None

    def list(self) -> list[Volume]:
        if not self.root.is_dir():
            return []
        found = []
        for entry in sorted(os.listdir(self.root)):
            try:
                found.append(self.get(entry))
            except NoSuchVolume:
                continue  # half made, or being removed
        return found

    def users(self, name: str) -> list[ContainerRecord]:
        """The containers (any state) whose record mounts volume `name`."""
        return [r for r in self.containers.list() if name in volume_mounts(r)]

    def remove(self, name: str, force: bool = False) -> str:
        """Remove the volume and its data; refused while a container uses it (`force` only skips a missing one)."""
        try:
            self.get(name)
        except NoSuchVolume:
            if force:
                return name
            raise
        users = self.users(name)
        if users:
            raise VolumeInUse(f"remove {name}: volume is in use - [{', '.join(r.id for r in users)}]",
                              hint="remove the containers first: " + ", ".join(r.name for r in users))
        shutil.rmtree(self.root / name)
        return name

    def prune(self, all: bool = False, labels: Iterable[str] = ()) -> list[str]:  # noqa: A002 - Docker's flag
        """Remove the unused volumes (only anonymous ones unless `all`, as Docker since 23.0)."""
        used = {n for r in self.containers.list() for n in volume_mounts(r)}
        removed = []
        for volume in self.list():
            if volume.name in used or not (all or volume.anonymous):
                continue
            if any(not _label_matches(volume.labels, want) for want in labels):
                continue
            shutil.rmtree(self.root / volume.name)
            removed.append(volume.name)
        return removed

    def copy_up(self, volume: Volume, source: str) -> None:
        """Fill an empty volume with the image's content at the mount target (`source`, in the mounted rootfs)."""
        target = volume.mountpoint
        if not os.path.isdir(source) or not os.path.isdir(target) or os.listdir(target) or not os.listdir(source):
            return
        done = subprocess.run(["cp", "-a", "--", f"{source}/.", target], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise EngineError(f"copy image content into volume `{volume.name}`: {done.stderr.strip()}")


def _label_matches(labels: Mapping[str, str], want: str) -> bool:
    key, sep, value = want.partition("=")
    return key in labels and (not sep or labels[key] == value)


# -- the CLI's words for mounts: `-v`, `--mount`, `--tmpfs` ---------------------------------------------------------

VOLUME_MODES = ("ro", "rw", "z", "Z", "nocopy")


def parse_volume(spec: str) -> Mount:
    """`-v SRC:DST[:OPTIONS]`, or `-v DST` (anonymous): SRC an absolute path binds it (made when missing), else a
    volume's name. OPTIONS, comma-separated as Docker takes them: ro or rw, a bind's propagation, a volume's
    nocopy, and z/Z (SELinux relabelling: nothing to do on a host without SELinux)."""
    from engine.containers.options import PROPAGATIONS, Mount

    parts = spec.split(":")
    modes = parts.pop().split(",") if len(parts) == 3 else []
    hint = "give SRC:DST[:ro|rw][,PROPAGATION][,nocopy], or DST"
    if len(parts) > 2 or not all(parts) or any(m not in VOLUME_MODES + PROPAGATIONS for m in modes):
        raise VolumeInvalid(f"invalid volume specification: `{spec}`", hint=hint)
    source, target = (None, parts[0]) if len(parts) == 1 else (parts[0], parts[1])
    propagation = next((m for m in modes if m in PROPAGATIONS), None)
    bind = source is not None and source.startswith("/")
    if (propagation and not bind) or ("nocopy" in modes and bind):
        raise VolumeInvalid(f"invalid volume specification: `{spec}`: "
                            f"{'propagation' if propagation else 'nocopy'} is for a "
                            f"{'bind mount' if propagation else 'volume'} only", hint=hint)
    if bind:
        return Mount("bind", target, source, read_only="ro" in modes, create_host_path=True, propagation=propagation)
    return Mount("volume", target, source, read_only="ro" in modes, nocopy="nocopy" in modes)


def parse_mount(spec: str) -> Mount:
    """`--mount type=bind|volume|tmpfs,source=...,target=...[,readonly][,bind-propagation=..][,volume-nocopy]
    [,volume-subpath=..][,tmpfs-size=..][,tmpfs-mode=..]`."""
    from engine.cgroups.resources import parse_bytes
    from engine.containers.options import PROPAGATIONS, Mount

    fields: dict[str, str] = {}
    for item in spec.split(","):
        key, sep, value = item.partition("=")
        fields[key.strip().lower()] = value if sep else "true"
    kind = fields.pop("type", "volume")
    source = fields.pop("source", None) or fields.pop("src", None)
    target = fields.pop("target", None) or fields.pop("destination", None) or fields.pop("dst", None)
    read_only = any(fields.pop(k, "false") in ("true", "1") for k in ("readonly", "ro"))
    nocopy = fields.pop("volume-nocopy", "false") in ("true", "1")
    size, mode = fields.pop("tmpfs-size", None), fields.pop("tmpfs-mode", None)
    propagation, subpath = fields.pop("bind-propagation", None), fields.pop("volume-subpath", None)
    if kind not in ("bind", "volume", "tmpfs") or not target or fields:
        raise VolumeInvalid(f"invalid mount specification: `{spec}`",
                            hint="type=bind|volume|tmpfs,source=...,target=...[,readonly]")
    if propagation is not None and (kind != "bind" or propagation not in PROPAGATIONS):
        raise VolumeInvalid(f"invalid mount specification: `{spec}`: bind-propagation {propagation!r}",
                            hint=f"a bind mount's propagation is one of {', '.join(PROPAGATIONS)}")
    if subpath is not None and kind != "volume":
        raise VolumeInvalid(f"invalid mount specification: `{spec}`: volume-subpath is for a volume only")
    return Mount(kind, target, None if kind == "tmpfs" else source, read_only=read_only, nocopy=nocopy,
                 size=None if size is None else parse_bytes(size), mode=None if mode is None else int(mode, 8),
                 propagation=propagation, subpath=subpath)


def parse_tmpfs(spec: str) -> Mount:
    """`--tmpfs DST[:size=64m,mode=1777,ro]`."""
    from engine.cgroups.resources import parse_bytes
    from engine.containers.options import Mount

    target, _, rest = spec.partition(":")
    size = mode = None
    read_only = False
    for option in filter(None, rest.split(",")):
        key, _, value = option.partition("=")
        if key == "size":
            size = parse_bytes(value)
        elif key == "mode":
            mode = int(value, 8)
        elif key in ("ro", "rw"):
            read_only = key == "ro"
        else:
            raise VolumeInvalid(f"invalid tmpfs option `{option}` in `{spec}`", hint="size=, mode=, ro")
    return Mount("tmpfs", target, read_only=read_only, size=size, mode=mode)
