"""`build` and `deploy` as `docker compose config` prints them.

`build: ./dir` becomes `{context: /abs/dir, dockerfile: Dockerfile}`; a remote context
(a URL, `git@...`, `github.com/...`) is kept as written. `deploy` gets memory as byte
strings, CPUs as numbers, durations in Go's form, and loses its empty parts.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from compose.errors import FileError, KeyPath
from compose.load.canonical import DELETE, Context
from compose.load.canonical.process_cmd import duration, duration_or_zero
from compose.load.canonical.process_env import build_args, string_map, to_mapping
from compose.load.canonical.process_resources import (
    cpus,
    device_request,
    extra_hosts,
    integer,
    integer_kept,
    omit_zero,
    size_string,
    ulimits,
)


def is_remote(context: str) -> bool:
    """Whether a build context names a remote source (Git or HTTP) rather than a directory."""
    return "://" in context or context.startswith(("git@", "github.com/"))


def local_path(value: str, ctx: Context) -> str:
    """`value` as a clean absolute path: `~` expanded, relative to the project directory."""
    base = ctx.path_base
    if base is None:
        return value
    return os.path.normpath(Path(base) / Path(value).expanduser()) if value else base


def build(value: Any, ctx: Context, path: KeyPath) -> Any:
    """Rule for `services.*.build`."""
    if value is None:
        return DELETE
    out: dict[str, Any] = {"context": value} if isinstance(value, str) else dict(value)
    context = str(out.get("context") or ".")
    out["context"] = context if is_remote(context) else local_path(context, ctx)
    if not out.get("dockerfile_inline") and not out.get("dockerfile") and ctx.normalize:
        out["dockerfile"] = "Dockerfile"
    _apply(out, "args", build_args if ctx.normalize else _args_as_written, ctx, path)
    _apply(out, "labels", string_map, ctx, path)
    _apply(out, "ssh", _ssh, ctx, path)
    _apply(out, "additional_contexts", _contexts, ctx, path)
    _apply(out, "extra_hosts", extra_hosts, ctx, path)
    _apply(out, "shm_size", size_string, ctx, path)
    _apply(out, "ulimits", ulimits, ctx, path)
    if "secrets" in out:
        out["secrets"] = [{"source": s} if isinstance(s, str) else s for s in out["secrets"] or []]
    for key in ("cache_from", "cache_to", "tags", "platforms", "entitlements", "secrets", "no_cache", "pull",
                "privileged", "network", "target", "isolation", "dockerfile_inline"):
        _apply(out, key, omit_zero, ctx, path)
    return out


def _args_as_written(value: Any, ctx: Context, path: KeyPath) -> Any:
    """`build.args` unnormalised: a mapping, a bare name kept null (Compose resolves them in normalisation)."""
    return dict(sorted(to_mapping(value, path).items())) or DELETE


def _apply(out: dict[str, Any], key: str, rule: Any, ctx: Context, path: KeyPath) -> None:
    if key in out:
        value = rule(out[key], ctx, path + (key,))
        if value is DELETE:
            del out[key]
        else:
            out[key] = value


def _ssh(value: Any, ctx: Context, path: KeyPath) -> Any:
    """`ssh` as Compose prints it: `default`, or `id: /abs/path` strings."""
    if isinstance(value, dict):
        pairs = [(str(k), "" if v is None else str(v)) for k, v in value.items()]
    else:
        pairs = []
        for index, item in enumerate(value or []):
            key, sep, rest = str(item).partition("=")
            if not sep:
                key, sep, rest = str(item).partition(": ")
            if not sep and key != "default":
                raise FileError(path + (index,), f'"{item}" is not an SSH key (use default or ID=PATH)')
            pairs.append((key, rest))
    seen: dict[str, str] = {}
    for key, rest in pairs:
        seen[key] = rest
    out = [key if key == "default" and not rest else f"{key}: {local_path(rest, ctx)}" for key, rest in seen.items()]
    return out or DELETE


def _contexts(value: Any, ctx: Context, path: KeyPath) -> Any:
    mapping = to_mapping(value, path, null="")
    out = {k: (v if "://" in (v or "") else local_path(v or "", ctx)) for k, v in mapping.items()}
    return out or DELETE


def _resources(value: Any, ctx: Context, path: KeyPath) -> Any:
    """One of `limits`/`reservations`: cpus a number, memory bytes, pids an integer."""
    if value is None:
        return {}
    out = dict(value)
    _apply(out, "cpus", cpus, ctx, path)
    _apply(out, "memory", size_string, ctx, path)
    _apply(out, "pids", integer, ctx, path)
    if "devices" in out:
        out["devices"] = [device_request(d, ctx, path + ("devices", i)) for i, d in enumerate(out["devices"] or [])]
    _apply(out, "devices", omit_zero, ctx, path)
    _apply(out, "generic_resources", omit_zero, ctx, path)
    return out


def _rollout(value: Any, ctx: Context, path: KeyPath) -> Any:
    """`update_config`/`rollback_config`: parallelism kept, zero durations and ratio dropped."""
    out = dict(value or {})
    _apply(out, "parallelism", integer_kept, ctx, path)
    for key in ("delay", "monitor"):
        _apply(out, key, duration_or_zero, ctx, path)
    for key in ("max_failure_ratio", "failure_action", "order"):
        _apply(out, key, omit_zero, ctx, path)
    return out


def deploy(value: Any, ctx: Context, path: KeyPath) -> Any:
    """Rule for `services.*.deploy`."""
    if value is None:
        return DELETE
    out = dict(value)
    _apply(out, "replicas", integer_kept, ctx, path)
    _apply(out, "labels", string_map, ctx, path)
    for key in ("mode", "endpoint_mode"):
        _apply(out, key, omit_zero, ctx, path)
    for key in ("update_config", "rollback_config"):
        if key in out:
            out[key] = _rollout(out[key], ctx, path + (key,))
    if "resources" in out:
        resources = dict(out["resources"] or {})
        for key in ("limits", "reservations"):
            if key in resources:
                resources[key] = _resources(resources[key], ctx, path + ("resources", key))
        out["resources"] = resources
        _apply(out, "resources", omit_zero, ctx, path)
    if "restart_policy" in out:
        policy = dict(out["restart_policy"] or {})
        for key in ("delay", "window"):
            _apply(policy, key, duration, ctx, path + ("restart_policy",))
        _apply(policy, "max_attempts", integer_kept, ctx, path + ("restart_policy",))
        _apply(policy, "condition", omit_zero, ctx, path + ("restart_policy",))
        out["restart_policy"] = policy
    if "placement" in out:
        placement = dict(out["placement"] or {})
        for key in ("constraints", "preferences", "max_replicas_per_node"):
            _apply(placement, key, omit_zero, ctx, path + ("placement",))
        out["placement"] = placement
        _apply(out, "placement", omit_zero, ctx, path)
    return out
