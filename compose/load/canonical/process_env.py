"""Environment, labels and the files that feed them, as `docker compose config` prints them.

`environment` becomes a mapping of strings; a bare `NAME` takes its value from the
project environment, else stays null. `env_file` files are read in order (a later
file wins), interpolated from the project environment and then the service's own
`environment`, and folded under `environment`, which wins; the `env_file` key is
then dropped. `labels`/`label_file` work the same way, with null labels as `""`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from compose.errors import FileError, KeyPath
from compose.load.canonical import DELETE, Context
from compose.load.canonical.storage import host_path
from compose.load.canonical.units import go_string


def to_mapping(value: Any, path: KeyPath, *, null: str | None = None) -> dict[str, str | None]:
    """A list of `KEY=VALUE` / `KEY` or a mapping -> a mapping of strings (null -> `null`)."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return {str(k): (null if v is None else go_string(v)) for k, v in value.items()}
    if not isinstance(value, list):
        raise FileError(path, "must be a mapping or a list of KEY=VALUE strings")
    out: dict[str, str | None] = {}
    for item in value:
        key, sep, rest = str(item).partition("=")
        out[key] = rest if sep else null
    return out


def resolve(mapping: Mapping[str, str | None], environ: Mapping[str, str]) -> dict[str, str | None]:
    """Null values taken from `environ` where it sets them."""
    return {k: (environ.get(k) if v is None else v) for k, v in mapping.items()}


def env_file_entries(value: Any, path: KeyPath) -> list[dict[str, Any]]:
    """`env_file` in long form: `[{path, required, format?}]`."""
    items = [value] if isinstance(value, str) else list(value or [])
    out = []
    for index, item in enumerate(items):
        if isinstance(item, str):
            out.append({"path": item, "required": True})
            continue
        entry = {"path": item["path"], "required": _flag(item.get("required", True), path + (index, "required"))}
        if item.get("format"):
            entry["format"] = item["format"]
        out.append(entry)
    return out


def _flag(value: Any, path: KeyPath) -> bool:
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "false"):
        return str(value).lower() == "true"
    raise FileError(path, f'"{value}" is not a boolean (use true or false)')


Lookup = Callable[[str], "str | None"]


def read_env_file(file: Path, fmt: str | None, lookup: Lookup, path: KeyPath) -> dict[str, str | None]:
    """Variables of one env file, in the given format (`raw`: values taken literally)."""
    from compose.load import dotenv

    if fmt not in (None, "", "raw"):
        raise FileError(path, f'unsupported env_file format "{fmt}" (leave it out, or use raw)')
    return dotenv.read_dotenv(file, lookup, raw=fmt == "raw")


def service_environment(service: Any, ctx: Context, path: KeyPath) -> Any:
    """Rule for `services.*`: `environment` resolved, with `env_file` folded in and dropped (kept, without
    interpolation: Compose then prints its model, where they are not read yet)."""
    if not isinstance(service, dict) or ("environment" not in service and "env_file" not in service):
        return service
    out = dict(service)
    env = resolve(to_mapping(service.get("environment"), path + ("environment",)), ctx.environ)
    entries = env_file_entries(service.get("env_file"), path + ("env_file",))
    out.pop("env_file", None)
    if ctx.raw_variables and entries:  # Compose's model (`--no-interpolate`) keeps them, unread, in long form
        out["env_file"] = [{**entry, "path": host_path(entry["path"], ctx)} for entry in entries]
        entries = []
    from_files: dict[str, str | None] = {}
    for index, entry in enumerate(entries):
        file = ctx.working_dir / Path(entry["path"]).expanduser()
        where = path + ("env_file", index)
        if not file.exists():
            if entry["required"]:
                raise FileError(where, f"env file {file} not found (create it, or set `required: false`)")
            continue

        def lookup(name: str) -> str | None:
            return ctx.environ[name] if name in ctx.environ else env.get(name)

        for key, value in read_env_file(file, entry.get("format"), lookup, where).items():
            if value is not None:
                from_files[key] = value
    merged = {**from_files, **env}
    if merged:
        out["environment"] = dict(sorted(merged.items()))
    else:
        out.pop("environment", None)
    return out


def service_labels(service: Any, ctx: Context, path: KeyPath) -> Any:
    """Rule for `services.*`: `labels` as strings, with `label_file` folded in and dropped."""
    if not isinstance(service, dict) or ("labels" not in service and "label_file" not in service):
        return service
    out = dict(service)
    labels = to_mapping(service.get("labels"), path + ("labels",), null="")
    files = service.get("label_file")
    from_files: dict[str, str | None] = {}
    for index, name in enumerate([files] if isinstance(files, str) else list(files or [])):
        file = ctx.working_dir / Path(name).expanduser()
        where = path + ("label_file", index)
        if not file.exists():
            raise FileError(where, f"label file {file} not found")
        for key, value in read_env_file(file, None, ctx.environ.get, where).items():
            if value is not None:
                from_files[key] = value
    out.pop("label_file", None)
    merged = {**from_files, **labels}
    if merged:
        out["labels"] = dict(sorted(merged.items()))
    else:
        out.pop("labels", None)
    return out


def string_map(value: Any, ctx: Context, path: KeyPath) -> Any:
    """Rule for annotations, sysctls, logging options...: a mapping of strings, null -> `""`; empty dropped."""
    mapping = to_mapping(value, path, null="")
    return dict(sorted(mapping.items())) if mapping else DELETE


def env_map(value: Any, ctx: Context, path: KeyPath) -> Any:
    """Rule for hook environments: a mapping of strings, bare names resolved; empty dropped."""
    mapping = resolve(to_mapping(value, path), ctx.environ)
    return dict(sorted(mapping.items())) if mapping else DELETE


def build_args(value: Any, ctx: Context, path: KeyPath) -> Any:
    """Rule for `build.args`: bare names resolved from the environment, unresolved ones dropped."""
    mapping = resolve(to_mapping(value, path), ctx.environ)
    kept = {k: v for k, v in sorted(mapping.items()) if v is not None}
    return kept or DELETE
