"""Phase `extends`: a service built on another one, in the same file or another file.

`extends: base` (or `{service: base}`) takes `base` from the same file;
`{service: base, file: other.yaml}` takes it from another file, read through the
`read` callback (the orchestrator parses, interpolates and casts it). Chains are
followed to their end (a base may extend another, in its own file's terms) and a
cycle is reported with its chain. The extending service is laid over its base with
the rules of the `merge` phase, `!reset` and `!override` included; nothing is left
out (Compose 2.40 inherits `depends_on`, `links`, `volumes_from` and `profiles` too).

Relative paths of a service taken from another file stand for that file's folder,
so they are made absolute there: `build` (context and additional contexts),
`env_file`, `label_file`, bind sources of `volumes` and `develop.watch` paths.
Without path resolution (`config --no-path-resolution`) they are joined to that
folder relative to this file's instead (`other/ctx`), as Compose prints them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from compose.errors import FileError, KeyPath
from compose.load.canonical.storage import parse_volume
from compose.load.merge import merge, split_volume, strip_reset_items

Reader = Callable[[Path], Any]


class _File:
    """One compose file taking part: its services and `!reset`/`!override` paths."""

    def __init__(self, name: str | None, folder: Path, services: dict, resets: frozenset, overrides: frozenset):
        self.key = os.path.normpath(folder / name) if name else None
        self.name = Path(name).name if name else None
        self.folder = folder
        self.services = services
        self.resets = resets
        self.overrides = overrides


def apply_extends(data: dict, *, working_dir: Path, read: Reader, resets: frozenset[KeyPath] = frozenset(),
                  overrides: frozenset[KeyPath] = frozenset(), name: str | None = None,
                  resolve_paths: bool = True) -> dict:
    """`data` with every `services.*.extends` resolved and removed.

    `read(path)` returns another file's data, or an object with `data`, `resets` and
    `overrides` (like `ParsedFile`). `resets`/`overrides` are those of `data`'s own
    file, which must already be without its `!reset` sequence items.
    """
    services = data.get("services")
    if not isinstance(services, dict) or not any(isinstance(s, dict) and "extends" in s for s in services.values()):
        return data
    main = _File(name, Path(working_dir), services, resets, overrides)
    resolver = _Resolver(read, main, resolve_paths)
    out = {svc: resolver.resolve(main, svc, ()) for svc in services}
    return {**data, "services": out}


class _Resolver:
    def __init__(self, read: Reader, main: _File, resolve_paths: bool):
        self.read = read
        self.main_folder = main.folder
        self.resolve_paths = resolve_paths
        self.files: dict[str, _File] = {main.key: main} if main.key else {}
        self.done: dict[tuple[str | None, str], Any] = {}

    def resolve(self, file: _File, service: str, chain: tuple[tuple[_File, str], ...]) -> Any:
        if any(f is file and s == service for f, s in chain):
            raise FileError(_where(chain[0]), "extends cycle: " + _chain(chain + ((file, service),)))
        key = (file.key, service)
        if key in self.done:
            return self.done[key]
        body = file.services[service]
        if not isinstance(body, dict) or "extends" not in body:
            return body
        spec = body["extends"]
        spec = {"service": spec} if isinstance(spec, str) else dict(spec or {})
        target = str(spec.get("service", ""))
        chain = chain + ((file, service),)
        if spec.get("file") is not None:
            other = self._file(file.folder / str(spec["file"]))
            if target not in other.services:
                raise FileError(_where(chain[-1]), f'cannot extend service "{service}": service "{target}" not found '
                                f"in {spec['file']}")
            folder = other.folder if self.resolve_paths else Path(os.path.relpath(other.folder, self.main_folder))
            base = _rebase(self.resolve(other, target, chain), folder)
        else:
            if target not in file.services:
                raise FileError(_where(chain[-1]), f'cannot extend service "{service}": service "{target}" not found')
            base = self.resolve(file, target, chain)
        own = {k: v for k, v in body.items() if k != "extends"}
        prefix = ("services", service)
        resets = frozenset(p for p in file.resets if p[:2] == prefix)
        overrides = frozenset(p for p in file.overrides if p[:2] == prefix)
        merged = merge({"services": {service: base if isinstance(base, dict) else {}}}, {"services": {service: own}},
                       resets=resets, overrides=overrides)["services"][service]
        self.done[key] = merged
        return merged

    def _file(self, path: Path) -> _File:
        key = os.path.normpath(path)
        if key not in self.files:
            loaded = self.read(Path(key))
            data = getattr(loaded, "data", loaded)
            resets = frozenset(getattr(loaded, "resets", frozenset()))
            overrides = frozenset(getattr(loaded, "overrides", frozenset()))
            data = strip_reset_items(data, resets) if isinstance(data, dict) else {}
            services = data.get("services") if isinstance(data.get("services"), dict) else {}
            self.files[key] = _File(key, Path(key).parent, services, resets, overrides)
        return self.files[key]


def _where(link: tuple[_File, str]) -> KeyPath:
    return ("services", link[1], "extends")


def _chain(chain: tuple[tuple[_File, str], ...]) -> str:
    files = {f.name for f, _ in chain}
    if len(files) == 1:
        return " -> ".join(s for _, s in chain)
    return " -> ".join(f"{s} ({f.name or 'the project file'})" for f, s in chain)


# ---- relative paths of a service taken from another file ------------------------------------------------------

def _local(path: Any) -> bool:
    """A relative path on this machine (not absolute, not `~`, not a URL or git remote)."""
    if not isinstance(path, str) or not path:
        return False
    if path.startswith(("/", "~", "\\")) or "://" in path or path.startswith(("git@", "github.com/")):
        return False
    return not (len(path) > 1 and path[1] == ":" and path[0].isalpha())


def _absolute(path: Any, folder: Path) -> Any:
    return os.path.normpath(folder / path) if _local(path) else path


def _context(value: Any, folder: Path) -> Any:
    """A build context or additional context: a path, or `service:x`, `docker-image://x`, a URL..."""
    if isinstance(value, str) and (value.startswith(("service:", "docker-image:", "oci-layout:")) or ":" in value
                                   and not value.startswith(".")):
        return value
    return _absolute(value, folder)


def _rebase_build(build: Any, folder: Path) -> Any:
    if isinstance(build, str):
        return _context(build, folder)
    if not isinstance(build, dict):
        return build
    out = dict(build)
    if "context" in out:
        out["context"] = _context(out["context"], folder)
    extra = out.get("additional_contexts")
    if isinstance(extra, dict):
        out["additional_contexts"] = {k: _context(v, folder) for k, v in extra.items()}
    elif isinstance(extra, list):
        out["additional_contexts"] = [_context_item(item, folder) for item in extra]
    return out


def _context_item(item: Any, folder: Path) -> Any:
    if not isinstance(item, str) or "=" not in item:
        return item
    name, _, value = item.partition("=")
    return f"{name}={_context(value, folder)}"


def _rebase_files(value: Any, folder: Path) -> Any:
    if isinstance(value, str):
        return _absolute(value, folder)
    if isinstance(value, list):
        return [_rebase_files(item, folder) for item in value]
    if isinstance(value, dict) and "path" in value:
        return {**value, "path": _absolute(value["path"], folder)}
    return value


def _rebase_volume(item: Any, folder: Path) -> Any:
    if isinstance(item, str):
        parts = split_volume(item)
        if len(parts) > 1 and parts[0].startswith("."):
            parts[0] = _absolute(parts[0], folder)
            if not folder.is_absolute():  # `other/data` would read as a volume name: say it is a bind mount
                return {**parse_volume(item, ()), "source": parts[0]}
            return ":".join(parts)
        return item
    if isinstance(item, dict) and item.get("type", "bind") == "bind" and _local(item.get("source")):
        return {**item, "source": _absolute(item["source"], folder)}
    return item


def _rebase(service: Any, folder: Path) -> Any:
    """`service` with its relative paths made absolute in `folder`."""
    if not isinstance(service, dict):
        return service
    out = dict(service)
    if "build" in out:
        out["build"] = _rebase_build(out["build"], folder)
    for key in ("env_file", "label_file"):
        if key in out:
            out[key] = _rebase_files(out[key], folder)
    if isinstance(out.get("volumes"), list):
        out["volumes"] = [_rebase_volume(v, folder) for v in out["volumes"]]
    develop = out.get("develop")
    if isinstance(develop, dict) and isinstance(develop.get("watch"), list):
        watch = [{**w, "path": _absolute(w["path"], folder)} if isinstance(w, dict) and "path" in w else w
                 for w in develop["watch"]]
        out["develop"] = {**develop, "watch": watch}
    return out
