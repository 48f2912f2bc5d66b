"""Resources and host settings of a service as `docker compose config` prints them.

Sizes print as byte strings (`mem_limit: "1073741824"`), CPU counts as numbers,
integer limits as integers; `ulimits` keep a single number or `{soft, hard}`;
`devices` take the long form; `extra_hosts` become sorted `host=ip` strings;
`dns`-like strings become lists; GPU requests get `count: -1` for "all".
"""

from __future__ import annotations

from typing import Any

from compose.errors import FileError, KeyPath
from compose.load.canonical import DELETE, Context
from compose.load.canonical.units import UnitError, go_int, go_parse_float, go_string, parse_size


def _size(value: Any, path: KeyPath) -> int:
    if isinstance(value, str) and value.startswith("-") and value[1:].isdigit():
        return int(value)  # our own output for `-1` (unlimited), read again
    try:
        return parse_size(value)
    except UnitError:
        raise FileError(path, f'"{value}" is not a valid size (use e.g. 512m, 1g, 1073741824)') from None


def _int(value: Any, path: KeyPath) -> int:
    try:
        return go_int(value)
    except UnitError:
        raise FileError(path, f'"{value}" is not an integer') from None


def size_string(value: Any, ctx: Context, path: KeyPath) -> Any:
    """Rule for `mem_limit`, `shm_size`, ...: bytes as a decimal string; zero dropped."""
    size = _size(value, path) if value is not None else 0
    return str(size) if size else DELETE


def integer(value: Any, ctx: Context, path: KeyPath) -> Any:
    """Rule for an integer attribute Compose leaves out when zero (`pids_limit`, `cpu_shares`...)."""
    number = _int(value, path) if value is not None else 0
    return number if number else DELETE


def integer_kept(value: Any, ctx: Context, path: KeyPath) -> Any:
    """Rule for an integer attribute printed even when zero (`scale`, `deploy.replicas`...)."""
    return DELETE if value is None else _int(value, path)


def cpus(value: Any, ctx: Context, path: KeyPath) -> Any:
    """Rule for `cpus`: a number (`"0.5"` -> 0.5, 2 -> 2); zero dropped."""
    if value is None:
        return DELETE
    if isinstance(value, str):
        try:
            value = go_parse_float(value)
        except UnitError:
            raise FileError(path, f'"{value}" is not a number of CPUs (use e.g. 0.5 or 2)') from None
    number = float(value)
    if not number:
        return DELETE
    return int(number) if number.is_integer() else number


def omit_zero(value: Any, ctx: Context, path: KeyPath) -> Any:
    """Rule for an attribute Compose leaves out when false, zero, empty or null."""
    if value is None or value is False or value == 0 or value == "" or value == [] or value == {}:
        return DELETE
    return value


def string_list(value: Any, ctx: Context, path: KeyPath) -> Any:
    """Rule for `dns`, `dns_search`, `group_add`...: a string -> a one-item list, items as strings."""
    if value is None:
        return DELETE
    items = [value] if not isinstance(value, list) else value
    return [go_string(item) for item in items] if items else DELETE


def ulimits(value: Any, ctx: Context, path: KeyPath) -> Any:
    """Rule for `ulimits`: a nonzero number kept, otherwise `{soft, hard}` as integers."""
    if not value:
        return DELETE
    out: dict[str, Any] = {}
    for name, limit in value.items():
        if isinstance(limit, dict):
            out[name] = {"soft": _int(limit.get("soft", 0), path + (name, "soft")),
                         "hard": _int(limit.get("hard", 0), path + (name, "hard"))}
        else:
            single = _int(limit, path + (name,))
            out[name] = single if single else {"soft": 0, "hard": 0}
    return out


def device(value: Any, ctx: Context, path: KeyPath) -> Any:
    """Rule for one of `devices`: `src[:dst[:perms]]` -> `{source, target, permissions}`."""
    if isinstance(value, dict):
        out = dict(value)
        if not out.get("target"):
            raise FileError(path, "a device needs a target (the path inside the container)")
        if not out.get("permissions"):
            out.pop("permissions", None)
        return out
    parts = str(value).split(":")
    if len(parts) > 3 or not parts[0]:
        raise FileError(path, f'"{value}" is not a device (use SOURCE[:TARGET[:PERMISSIONS]])')
    source = parts[0]
    target = parts[1] if len(parts) > 1 and parts[1] else source
    permissions = parts[2] if len(parts) > 2 and parts[2] else "rwm"
    return {"source": source, "target": target, "permissions": permissions}


def _unbracket(ip: str) -> str:
    return ip[1:-1] if len(ip) > 1 and ip.startswith("[") and ip.endswith("]") else ip


def extra_hosts(value: Any, ctx: Context, path: KeyPath) -> Any:
    """Rule for `extra_hosts`: a list (`host:ip`, `host=ip`) or a mapping -> sorted `host=ip` strings."""
    if not value:
        return DELETE
    entries: list[str] = []
    if isinstance(value, dict):
        for host, ips in value.items():
            for ip in ips if isinstance(ips, list) else [ips]:
                entries.append(f"{host}={_unbracket(go_string(ip))}")
    else:
        for index, item in enumerate(value):
            text = str(item)
            sep = "=" if "=" in text else ":"
            host, found, ip = text.partition(sep)
            if not found:
                raise FileError(path + (index,), f'"{text}" has no IP address (use HOST=IP)')
            entries.append(f"{host}={_unbracket(ip)}")
    return sorted(entries)


def _count(value: Any, path: KeyPath) -> int:
    if isinstance(value, str) and value.lower() == "all":
        return -1
    return _int(value, path)


def device_request(value: Any, ctx: Context, path: KeyPath) -> Any:
    """Rule for one GPU/device reservation: `count: all` -> -1, the default count -1, options as strings."""
    if not isinstance(value, dict):
        return value
    out = dict(value)
    if "count" in out:
        out["count"] = _count(out["count"], path + ("count",))
    elif not out.get("device_ids"):
        out["count"] = -1
    if "options" in out:
        opts = {str(k): go_string(v) for k, v in (out["options"] or {}).items()} \
            if not isinstance(out["options"], list) else dict(o.partition("=")[::2] for o in out["options"])
        if opts:
            out["options"] = opts
        else:
            del out["options"]
    for key in ("capabilities", "device_ids"):
        if key in out and not out[key]:
            del out[key]
    if out.get("driver") == "":
        del out["driver"]
    return out


def gpus(value: Any, ctx: Context, path: KeyPath) -> Any:
    """Rule for `gpus`: `all` -> `[{count: -1}]`; a list of requests otherwise."""
    if value == "all":
        return [{"count": -1}]
    if not value:
        return DELETE
    return [device_request(item, ctx, path + (index,)) for index, item in enumerate(value)]


def blkio(value: Any, ctx: Context, path: KeyPath) -> Any:
    """Rule for `blkio_config`: rates as byte strings, weights as integers (zero weight dropped)."""
    if not isinstance(value, dict):
        return value
    out = dict(value)
    if "weight" in out:
        weight = _int(out["weight"], path + ("weight",)) if out["weight"] is not None else 0
        if weight:
            out["weight"] = weight
        else:
            del out["weight"]
    for key in ("device_read_bps", "device_write_bps", "device_read_iops", "device_write_iops"):
        if key in out:
            items = [{**item, "rate": str(_size(item.get("rate", 0), path + (key, i, "rate")))}
                     for i, item in enumerate(out[key] or [])]
            out[key] = items
            if not items:
                del out[key]
    if "weight_device" in out:
        items = [{**item, "weight": _int(item.get("weight", 0), path + ("weight_device", i, "weight"))}
                 for i, item in enumerate(out["weight_device"] or [])]
        out["weight_device"] = items
        if not items:
            del out["weight_device"]
    return out


def logging(value: Any, ctx: Context, path: KeyPath) -> Any:
    """Rule for `logging`: options as strings (null -> `""`), empty parts dropped."""
    if not isinstance(value, dict):
        return value
    out = dict(value)
    if not out.get("driver"):
        out.pop("driver", None)
    options = {str(k): go_string(v) for k, v in (out.get("options") or {}).items()}
    if options:
        out["options"] = options
    else:
        out.pop("options", None)
    return out


def pull_policy(value: Any, ctx: Context, path: KeyPath) -> Any:
    """Rule for `pull_policy`: `if_not_present` is printed as its synonym `missing` (a normalisation)."""
    if not value:
        return DELETE
    return "missing" if value == "if_not_present" and ctx.normalize else value


def depends_on(value: Any, ctx: Context, path: KeyPath) -> Any:
    """Rule for `depends_on`: a list -> `{name: {condition: service_started, required: true}}`."""
    if not value:
        return DELETE
    if isinstance(value, list):
        return {str(name): {"condition": "service_started", "required": True} for name in value}
    out = {}
    for name, dep in value.items():
        entry = dict(dep or {})
        entry.setdefault("condition", "service_started")
        entry["required"] = entry.get("required", True) is not False
        if not entry.get("restart"):
            entry.pop("restart", None)
        out[name] = entry
    return out


def models(value: Any, ctx: Context, path: KeyPath) -> Any:
    """Rule for a service's `models`: a list -> `{name: null}`."""
    if not value:
        return DELETE
    if isinstance(value, list):
        return {str(name): None for name in value}
    return value
