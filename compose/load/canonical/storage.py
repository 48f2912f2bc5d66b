"""Canonical storage: service `volumes`, `tmpfs`, `secrets`, `configs`, and the top-level resources.

A short volume (`./data:/data:ro,z`) is read as compose-go reads it, colon by colon
(a single letter before a colon is a Windows drive), into the long form `docker
compose config` prints: `{type, source, target, read_only?, bind: {selinux?,
propagation?, create_host_path: true}, volume: {nocopy?}}`. A bind source is made
absolute: `~` is the home directory, a relative path joins the project directory;
an absolute one is left as written. Targets are cleaned like Go's `path.Clean`.
Within a list a later entry with the same key (the mount target) takes the place of
the earlier one.

Top-level volumes, secrets and configs get their engine-side name: `<project>_<key>`,
or the key itself when external.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from typing import Any

from compose.errors import FileError, KeyPath
from compose.load.canonical import DELETE, Context
from compose.load.canonical.units import UnitError, go_string, parse_size

PROPAGATIONS = ("rprivate", "private", "rshared", "shared", "rslave", "slave")
SELINUX = ("z", "Z")
_MOUNT_ORDER = ("type", "source", "target", "read_only", "consistency", "bind", "volume", "tmpfs", "image")
_BIND_ORDER = ("selinux", "propagation", "create_host_path", "recursive")
_WINDOWS_ABS = re.compile(r"[A-Za-z]:[\\/]|\\\\")


def go_clean(path: str) -> str:
    """Go's `path.Clean`: `/a/../b/` -> `/b`, `//a` -> `/a`, `` -> `.`."""
    if not path:
        return "."
    cleaned = posixpath.normpath(path)
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


def host_path(path: str, ctx: Context) -> str:
    """A host path as compose resolves it: `~` expanded, relative joined to the project directory."""
    base = ctx.path_base
    if base is None:
        return path
    if path.startswith("~"):
        home = ctx.environ.get("HOME") or posixpath.expanduser("~")
        path = go_clean(home + "/" + path[1:])
    if path.startswith("/") or _WINDOWS_ABS.match(path):
        return path
    return go_clean(f"{base}/{path}")


def string_map(value: Any) -> Any:
    """Labels and options: a `KEY=VALUE` list or a mapping -> a mapping of strings (null -> "")."""
    if isinstance(value, list):
        pairs = (str(item).partition("=") for item in value)
        return {key: text for key, _, text in pairs}
    if isinstance(value, dict):
        return {str(key): go_string(item) for key, item in value.items()}
    return value


def _ordered(fields: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    """`fields` without empty values (as Go's omitempty drops them), known keys first, in `order`."""
    out = {key: fields[key] for key in order if fields.get(key) not in (None, "", False, 0)}
    out.update((k, v) for k, v in fields.items() if k not in order)
    return out


# --- short volume syntax --------------------------------------------------------------


def _sections(spec: str) -> list[str]:
    """`spec` split at colons, except the colon after a single-letter Windows drive."""
    sections, buffer = [], ""
    for char in spec:
        if char == ":" and not (len(buffer) == 1 and buffer.isalpha()):
            sections.append(buffer)
            buffer = ""
        else:
            buffer += char
    return [*sections, buffer]


def _is_file_path(source: str) -> bool:
    if not source:
        return False
    if source[0] in "./~" or source.startswith("\\\\"):
        return True
    return len(source) > 1 and source[0].isalpha() and source[1] == ":"


def _apply_options(mount: dict[str, Any], options: str) -> None:
    for option in options.split(","):
        if option in ("ro", "rw"):
            mount["read_only"] = option == "ro"
        elif option == "nocopy":
            mount["volume"] = {"nocopy": True}
        elif option in PROPAGATIONS:
            mount["bind"] = {**mount.get("bind", {}), "propagation": option}
        elif option in SELINUX:
            mount["bind"] = {**mount.get("bind", {}), "selinux": option}


def parse_volume(spec: str, path: KeyPath) -> dict[str, Any]:
    """A short volume -> its long form (before paths are resolved)."""
    if not spec:
        raise FileError(path, "a volume cannot be empty")
    if len(spec) <= 2:
        return {"type": "volume", "target": spec}
    sections = _sections(spec)
    if any(not s for s in sections):
        raise FileError(path, f'"{spec}" has an empty section between colons')
    if len(sections) > 3:
        raise FileError(path, f'"{spec}" has too many colons (use SOURCE:TARGET:OPTIONS)')
    mount: dict[str, Any] = {}
    if len(sections) == 1:
        mount["target"] = sections[0]
    else:
        mount["source"], mount["target"] = sections[0], sections[1]
    if len(sections) == 3:
        _apply_options(mount, sections[2])
    if _is_file_path(mount.get("source", "")):
        kind = "bind"
        mount["bind"] = {**mount.get("bind", {}), "create_host_path": True}
    else:
        kind = "volume"
        mount.setdefault("volume", {})
    return {"type": kind, **mount}


# --- service volumes ----------------------------------------------------------------


def _long_mount(value: dict[str, Any], ctx: Context, path: KeyPath) -> dict[str, Any]:
    mount = dict(value)
    target = mount.get("target")
    if not isinstance(target, str) or not target:
        raise FileError(path, "a volume needs a target (the path in the container)")
    mount["target"] = go_clean(target)
    if mount.get("type") == "bind":
        if not mount.get("source"):
            raise FileError(path, "a bind mount needs a source (the path on the host)")
        mount["source"] = host_path(mount["source"], ctx)
    for key, order in (("bind", _BIND_ORDER), ("volume", ("nocopy", "subpath")), ("tmpfs", ("size", "mode"))):
        if isinstance(mount.get(key), dict):
            mount[key] = _ordered(mount[key], order)
    if isinstance(mount.get("tmpfs"), dict) and "size" in mount["tmpfs"]:
        mount["tmpfs"] = _tmpfs_size(mount["tmpfs"], path)
    return _ordered(mount, _MOUNT_ORDER)


def _tmpfs_size(tmpfs: dict[str, Any], path: KeyPath) -> dict[str, Any]:
    try:
        size = parse_size(tmpfs["size"])
    except UnitError:
        raise FileError(path + ("tmpfs", "size"), f'"{tmpfs["size"]}" is not a size (e.g. 64m, 1g)') from None
    out = dict(tmpfs)
    if size:
        out["size"] = str(size)
    else:
        del out["size"]
    return _ordered(out, ("size", "mode"))


def _unique(entries: list[tuple[Any, Any]]) -> list[Any]:
    """Values of (key, value) pairs, a later duplicate key taking the place of the earlier one."""
    out: list[Any] = []
    index: dict[Any, int] = {}
    for key, value in entries:
        if key in index:
            out[index[key]] = value
        else:
            index[key] = len(out)
            out.append(value)
    return out


def canonical_volumes(value: Any, ctx: Context, path: KeyPath) -> Any:
    """`services.*.volumes`: every mount long, bind sources absolute, one mount per target."""
    if not isinstance(value, list):
        return value
    mounts = []
    for i, item in enumerate(value):
        raw = parse_volume(item, path + (i,)) if isinstance(item, str) else item
        if not isinstance(raw, dict):
            raise FileError(path + (i,), f"{item!r} is not a volume")
        mount = _long_mount(raw, ctx, path + (i,))
        mounts.append((mount["target"], mount))
    return _unique(mounts) or DELETE


def canonical_tmpfs(value: Any, ctx: Context, path: KeyPath) -> Any:
    """`services.*.tmpfs`: a list; entries with the same text before `=` kept once (the later)."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        return value
    return _unique([(str(item).partition("=")[0], str(item)) for item in items]) or DELETE


def canonical_volumes_from(value: Any, ctx: Context, path: KeyPath) -> Any:
    """`services.*.volumes_from`: kept as written; an empty list is dropped."""
    return value if value else DELETE


# --- service secrets and configs ------------------------------------------------------


def file_mode(value: Any, path: KeyPath) -> str:
    """A file mode as compose prints it: `"0440"` (a string is read as octal, a number as is)."""
    if isinstance(value, str) and re.fullmatch(r"\+?[0-7]+", value):
        value = int(value, 8)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise FileError(path, f'"{value}" is not a file mode (e.g. 0440)')
    return f"0{value:o}"


def _file_mount(default_dir: str | None) -> Callable[[Any, Context, KeyPath], Any]:
    """The rule for `secrets` (targets default to `/run/secrets/<source>`) or `configs` (no default)."""

    def rule(value: Any, ctx: Context, path: KeyPath) -> Any:
        if not isinstance(value, list):
            return value
        entries = []
        for i, item in enumerate(value):
            raw = {"source": item} if isinstance(item, str) else dict(item)
            key = raw["target"] if "target" in raw else f"{default_dir or ''}/{raw.get('source')}"
            if default_dir is not None and "target" not in raw:
                raw["target"] = f"{default_dir}/{raw.get('source')}"
            if raw.get("mode") is not None:
                raw["mode"] = file_mode(raw["mode"], path + (i, "mode"))
            entries.append((key, _ordered(raw, ("source", "target", "uid", "gid", "mode"))))
        return _unique(entries) or DELETE

    return rule


# --- top-level volumes, secrets and configs -------------------------------------------

_RESOURCE_ORDER = {
    "volumes": ("name", "driver", "driver_opts", "external", "labels"),
    "secrets": ("name", "file", "environment", "content", "external", "labels", "driver", "driver_opts",
                "template_driver"),
}
_RESOURCE_ORDER["configs"] = _RESOURCE_ORDER["secrets"]


def external_name(value: dict[str, Any], path: KeyPath) -> dict[str, Any]:
    """The legacy `external: {name: x}` -> `name: x` and `external: true`."""
    external = value.get("external")
    if not isinstance(external, dict):
        return value
    out = {**value, "external": True}
    if "name" in external:
        if "name" in value and value["name"] != external["name"]:
            raise FileError(path + ("name",), "conflicts with external.name; set only `name` and `external: true`")
        out["name"] = external["name"]
    return out


def resource(kind: str, value: Any, ctx: Context, path: KeyPath, conflicts: tuple[str, ...] = ()) -> dict[str, Any]:
    """A top-level volume, secret, config or network with its name and its maps of strings.

    `conflicts` are the fields an external one must not set.
    """
    entry = external_name(dict(value or {}), path)
    key = str(path[-1])
    if entry.get("external"):
        for field in conflicts:
            if entry.get(field):
                raise FileError(path + (field,), f'cannot be set on an external {kind[:-1]} (it is not created)')
    if "name" not in entry and ctx.normalize:  # naming by key is compose-go's normalisation
        entry["name"] = key if entry.get("external") else f"{ctx.project_name}_{key}"
    for field in ("labels", "driver_opts"):
        if field in entry:
            entry[field] = string_map(entry[field]) or None
    if isinstance(entry.get("file"), str):
        entry["file"] = host_path(entry["file"], ctx)
    return entry


def _top_level(kind: str) -> Callable[[Any, Context, KeyPath], Any]:
    def rule(value: Any, ctx: Context, path: KeyPath) -> Any:
        conflicts = ("driver", "driver_opts", "labels") if kind == "volumes" else ()
        return _ordered(resource(kind, value, ctx, path, conflicts), _RESOURCE_ORDER[kind])

    return rule


RULES = [
    ("services.*.volumes", canonical_volumes),
    ("services.*.tmpfs", canonical_tmpfs),
    ("services.*.volumes_from", canonical_volumes_from),
    ("services.*.secrets", _file_mount("/run/secrets")),
    ("services.*.configs", _file_mount(None)),
    ("volumes.*", _top_level("volumes")),
    ("secrets.*", _top_level("secrets")),
    ("configs.*", _top_level("configs")),
]
