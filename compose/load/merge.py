"""Phase `merge`: a later `-f` file (or an extending service) laid over what came before.

The rules are Docker Compose's, kept as two tables keyed by path patterns (`*`
matches one mapping key): `RULES` says how two values at a path combine, and
`UNIQUE` says by which key the items of a merged sequence are told apart (a later
item replaces an earlier one with the same key, in the earlier one's place).
Where no rule applies, mappings merge key by key, sequences append, and anything
else is replaced; a `null` in the later file keeps the earlier value.

The data is not canonical yet, so each rule reads every syntax of its attribute,
and some results keep the intermediate shapes Docker Compose has between files
(`environment`, `labels` and the like become `KEY=value` sequences once merged;
`networks`, `depends_on` and `build` become mappings). The canonical phase reads
them like any other syntax.

`!reset` (key paths in `resets`) removes the key from the earlier files, where the
earlier value is a mapping at that point, and a `!reset` sequence item is dropped;
`!override` (key paths in `overrides`) replaces the earlier value wholesale.

    >>> merge({"services": {"web": {"image": "a", "ports": ["80:80"]}}},
    ...       {"services": {"web": {"ports": ["8080:80"]}}})
    {'services': {'web': {'image': 'a', 'ports': ['80:80', '8080:80']}}}
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from typing import Any

from compose.errors import KeyPath
from compose.load.canonical.units import go_float

Merger = Callable[[Any, Any, KeyPath, frozenset], Any]


def merge(base: dict, override: dict, *, resets: frozenset[KeyPath] = frozenset(),
          overrides: frozenset[KeyPath] = frozenset()) -> dict:
    """`override` laid over `base`; `resets`/`overrides` are the tagged key paths of `override`'s file.

    `override` must already be without its `!reset` sequence items (`strip_reset_items`,
    once per file, before `extends`). Call it for the first file too (with `base={}`):
    that makes sequences unique as Docker Compose does for every file.
    """
    start = _drop_paths(base, resets) if resets else base
    return unique(merge_value(start, override, (), overrides))


def strip_reset_items(data: dict, resets: frozenset[KeyPath]) -> dict:
    """`data` without the sequence items tagged `!reset` (the parse phase keeps them in place)."""
    return _strip_items(data, resets, ()) if any(p and isinstance(p[-1], int) for p in resets) else data


def merge_value(base: Any, over: Any, path: KeyPath, overrides: frozenset = frozenset()) -> Any:
    """Two values at `path` combined by the rule for that path (no `!reset` handling, no unicity)."""
    if over is None:
        return base
    if path in overrides:
        return over
    rule = _rule(path)
    if rule is not None:
        return rule(base, over, path, overrides)
    return _generic(base, over, path, overrides)


def merge_mappings(base: dict, over: dict, path: KeyPath, overrides: frozenset = frozenset()) -> dict:
    out = dict(base)
    for key, value in over.items():
        if key not in out:
            out[key] = value
        else:
            out[key] = merge_value(out[key], value, path + (key,), overrides)
    return out


def _generic(base: Any, over: Any, path: KeyPath, overrides: frozenset) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        return merge_mappings(base, over, path, overrides)
    if isinstance(base, list) and isinstance(over, list):
        return base + over
    return over


# ---- the rules ---------------------------------------------------------------------------------------------------

def replace(base: Any, over: Any, path: KeyPath, overrides: frozenset) -> Any:
    """The later value wins whole (`command`, `entrypoint`, `healthcheck.test`, one ulimit)."""
    return over


def to_sequence(value: Any) -> list:
    """A mapping as Docker Compose writes it as a sequence: sorted `KEY=value` (or `KEY` for null) strings."""
    if isinstance(value, dict):
        out = []
        for key, item in value.items():
            if item is None:
                out.append(str(key))
            elif isinstance(item, list):
                out.extend(f"{key}={go_str(v)}" for v in item)
            else:
                out.append(f"{key}={go_str(item)}")
        return sorted(out)
    if isinstance(value, list):
        return list(value)
    if value is None:
        return []
    return [value]


def go_str(value: Any) -> str:
    """A scalar as Go's `%v` prints it (`true`, `1.5`, `1e+06`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return go_float(value)
    return str(value)


def sequence(base: Any, over: Any, path: KeyPath, overrides: frozenset) -> list:
    """Both values as sequences (a mapping as `KEY=value` items), appended."""
    return to_sequence(base) + to_sequence(over)


def extra_hosts(base: Any, over: Any, path: KeyPath, overrides: frozenset) -> list:
    """Appended, without the later entries already written the same way before."""
    first = to_sequence(base)
    return first + [item for item in to_sequence(over) if item not in first]


def _as_mapping(value: Any, item: Callable[[Any], Any]) -> Any:
    if isinstance(value, list):
        return {name: item(name) for name in value}
    return value


def by_name(base: Any, over: Any, path: KeyPath, overrides: frozenset) -> Any:
    """`networks`/`models` of a service: a list of names is a mapping of names to null."""
    return _generic(_as_mapping(base, lambda _: None), _as_mapping(over, lambda _: None), path, overrides)


def _started(_: Any) -> dict:
    return {"condition": "service_started", "required": True}


def depends_on(base: Any, over: Any, path: KeyPath, overrides: frozenset) -> Any:
    """A list of names means `condition: service_started, required: true` for each."""
    return _generic(_as_mapping(base, _started), _as_mapping(over, _started), path, overrides)


def build(base: Any, over: Any, path: KeyPath, overrides: frozenset) -> Any:
    """`build: ./dir` is `build: {context: ./dir}`."""
    def long(value: Any) -> Any:
        return {"context": value} if isinstance(value, str) else value
    return _generic(long(base), long(over), path, overrides)


def logging(base: Any, over: Any, path: KeyPath, overrides: frozenset) -> Any:
    """Options merge only when the driver stays the same (or one file names none)."""
    both = isinstance(base, dict) and isinstance(over, dict)
    if both and "driver" in base and "driver" in over and base["driver"] != over["driver"]:
        return over
    return _generic(base, over, path, overrides)


def gpus(base: Any, over: Any, path: KeyPath, overrides: frozenset) -> Any:
    """`gpus: all` is one request for every GPU."""
    def long(value: Any) -> Any:
        return [{"count": -1}] if value == "all" else value
    return _generic(long(base), long(over), path, overrides)


def ipam_config(base: Any, over: Any, path: KeyPath, overrides: frozenset) -> Any:
    """IPAM pools, as Docker Compose 2.40 pairs them by `subnet` (an empty side empties the result).

    Each earlier pool meets each later one in turn: the same subnet merges into it,
    a new subnet is added once, and a merged pool replaces the first pool already
    kept with its (possibly new) subnet.
    """
    if not isinstance(base, list) or not isinstance(over, list):
        return over
    kept: list[dict] = []
    for original in base:
        right = dict(original) if isinstance(original, dict) else {}
        for later in over:
            left = later if isinstance(later, dict) else {}
            new = not any(k.get("subnet") == left.get("subnet") for k in kept)
            if left.get("subnet") != right.get("subnet") and new:
                kept.append(left)
                continue
            merged = merge_mappings(right, left, path, overrides)
            right.clear()
            right.update(merged)  # in place, as Compose does: a pool already kept follows its changes
            index = next((i for i, k in enumerate(kept) if k.get("subnet") == right.get("subnet")), None)
            if index is None:
                kept.append(right)
            else:
                kept[index] = right
    return [dict(pool) for pool in kept]


RULES: dict[str, Merger] = {
    "services.*.build": build,
    "services.*.build.args": sequence,
    "services.*.build.labels": sequence,
    "services.*.build.additional_contexts": sequence,
    "services.*.build.extra_hosts": extra_hosts,
    "services.*.build.ulimits.*": replace,
    "services.*.command": replace,
    "services.*.entrypoint": replace,
    "services.*.healthcheck.test": replace,
    "services.*.ulimits.*": replace,
    "services.*.environment": sequence,
    "services.*.labels": sequence,
    "services.*.annotations": sequence,
    "services.*.sysctls": sequence,
    "services.*.deploy.labels": sequence,
    "services.*.dns": sequence,
    "services.*.dns_opt": sequence,
    "services.*.dns_search": sequence,
    "services.*.tmpfs": sequence,
    "services.*.env_file": sequence,
    "services.*.label_file": sequence,
    "services.*.extra_hosts": extra_hosts,
    "services.*.depends_on": depends_on,
    "services.*.networks": by_name,
    "services.*.models": by_name,
    "services.*.logging": logging,
    "services.*.gpus": gpus,
    "networks.*.labels": sequence,
    "volumes.*.labels": sequence,
    "networks.*.ipam.config": ipam_config,
}

_PATTERNS: list[tuple[tuple[str, ...], Merger]] = [(tuple(p.split(".")), m) for p, m in RULES.items()]


def _matches(pattern: tuple[str, ...], path: KeyPath) -> bool:
    return len(pattern) == len(path) and all(p == "*" or p == k for p, k in zip(pattern, path, strict=True))


def _rule(path: KeyPath) -> Merger | None:
    if not path or path[0] not in ("services", "networks", "volumes"):
        return None
    for pattern, rule in _PATTERNS:
        if _matches(pattern, path):
            return rule
    return None


# ---- unicity -----------------------------------------------------------------------------------------------------

Indexer = Callable[[Any], list]  # an item -> [(key, item to keep)], several when a port range expands


def key_value(item: Any) -> list:
    """`KEY=value` items are told apart by KEY (other items by themselves)."""
    return [(str(item).partition("=")[0] if isinstance(item, str) else repr(item), item)]


def key_expose(item: Any) -> list:
    return [(str(item), item)]


def key_env_file(item: Any) -> list:
    path = item.get("path") if isinstance(item, dict) else item
    return [(str(path), item)]


def key_mount(default_dir: str) -> Indexer:
    """Secrets and configs are told apart by their target (`<default_dir>/<source>` when none)."""
    def indexer(item: Any) -> list:
        if isinstance(item, dict):
            target = item.get("target")
            return [(target if target is not None else f"{default_dir}/{item.get('source')}", item)]
        return [(f"{default_dir}/{item}", item)]
    return indexer


def key_volume(item: Any) -> list:
    """Volumes are told apart by their target path in the container."""
    if isinstance(item, dict):
        return [(("target", item.get("target")), item)]
    if isinstance(item, str):
        parts = split_volume(item)
        target = parts[1] if len(parts) > 1 else parts[0]
        return [(("target", posixpath.normpath(target) if target else target), item)]
    return [(("item", repr(item)), item)]


def split_volume(spec: str) -> list[str]:
    """`src:dst:mode` split on colons, keeping a Windows drive letter (`C:\\x`) in its part."""
    parts: list[str] = []
    for piece in spec.split(":"):
        if parts and len(parts[-1]) == 1 and parts[-1].isalpha() and piece[:1] in ("\\", "/") and len(parts) in (1, 2):
            parts[-1] += ":" + piece
        else:
            parts.append(piece)
    return parts


def key_device(item: Any) -> list:
    """Devices are told apart by their path in the container."""
    if isinstance(item, dict):
        return [(item.get("target"), item)]
    parts = str(item).split(":")
    return [(parts[1] if len(parts) > 1 else parts[0], item)]


def key_port(item: Any) -> list:
    """Ports are told apart by host address, published port, target and protocol.

    A short port with a range stands for one port per number, as Docker Compose
    reads it before merging; a long one's `published` counts only when a string.
    """
    if isinstance(item, dict):
        published = item.get("published")
        mark = published if isinstance(published, str) else ("<int>", published) if published is not None else None
        return [((item.get("host_ip") or "0.0.0.0", mark, item.get("target"), item.get("protocol") or "tcp"), item)]
    if isinstance(item, int) and not isinstance(item, bool):
        return [(key, item) for key, _ in _short_ports(str(item))]
    if not isinstance(item, str):
        return [(("item", repr(item)), item)]
    return _short_ports(item)


def _short_ports(spec: str) -> list:
    rest, _, protocol = spec.partition("/")
    protocol = protocol or "tcp"
    parts = rest.split(":")
    target = parts[-1]
    published = parts[-2] if len(parts) >= 2 else None
    host = ":".join(parts[:-2]) if len(parts) > 2 else ""
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    targets = _port_range(target)
    publishes = _port_range(published) if published else None
    if targets is None or (published and publishes is None):
        return [((host or "0.0.0.0", published or None, target, protocol), spec)]
    if len(targets) == 1:
        return [((host or "0.0.0.0", published or None, targets[0], protocol), spec)]
    if publishes is not None and len(publishes) != len(targets):
        return [((host or "0.0.0.0", published, target, protocol), spec)]
    out = []
    shown_host = f"[{host}]" if ":" in host else host
    for index, number in enumerate(targets):
        pub = str(publishes[index]) if publishes is not None else None
        text = ":".join(p for p in (shown_host, pub) if p) + (":" if shown_host or pub else "") + str(number)
        text += f"/{protocol}" if spec.count("/") else ""
        out.append(((host or "0.0.0.0", pub, number, protocol), text))
    return out


def _port_range(text: str) -> list[int] | None:
    start, dash, end = text.partition("-")
    if not start.isdigit() or (dash and not end.isdigit()):
        return None
    first, last = int(start), int(end) if dash else int(start)
    return list(range(first, last + 1)) if last >= first and last - first < 65536 else None


UNIQUE: dict[str, Indexer] = {
    "services.*.annotations": key_value,
    "services.*.build.args": key_value,
    "services.*.build.additional_contexts": key_value,
    "services.*.build.labels": key_value,
    "services.*.build.tags": key_value,
    "services.*.cap_add": key_value,
    "services.*.cap_drop": key_value,
    "services.*.configs": key_mount(""),
    "services.*.deploy.labels": key_value,
    "services.*.devices": key_device,
    "services.*.dns": key_value,
    "services.*.dns_opt": key_value,
    "services.*.dns_search": key_value,
    "services.*.environment": key_value,
    "services.*.env_file": key_env_file,
    "services.*.expose": key_expose,
    "services.*.labels": key_value,
    "services.*.links": key_value,
    "services.*.networks.*.aliases": key_value,
    "services.*.networks.*.link_local_ips": key_value,
    "services.*.ports": key_port,
    "services.*.profiles": key_value,
    "services.*.secrets": key_mount("/run/secrets"),
    "services.*.sysctls": key_value,
    "services.*.tmpfs": key_value,
    "services.*.volumes": key_volume,
    "networks.*.labels": key_value,
}

_UNIQUE: list[tuple[tuple[str, ...], Indexer]] = [(tuple(p.split(".")), k) for p, k in UNIQUE.items()]


def unique(data: dict) -> dict:
    """`data` with the later of two same-keyed sequence items kept, in the earlier one's place."""
    services = data.get("services")
    networks = data.get("networks")
    out = dict(data)
    if isinstance(services, dict):
        out["services"] = {name: _unique_in(svc, ("services", name)) for name, svc in services.items()}
    if isinstance(networks, dict):
        out["networks"] = {name: _unique_in(net, ("networks", name)) for name, net in networks.items()}
    return out


def _unique_in(value: Any, path: KeyPath) -> Any:
    if isinstance(value, dict):
        changed = {k: _unique_in(v, path + (k,)) for k, v in value.items() if isinstance(v, (dict, list))}
        return {**value, **changed} if changed else value
    if isinstance(value, list):
        for pattern, indexer in _UNIQUE:
            if _matches(pattern, path):
                return _dedupe(value, indexer)
    return value


def _dedupe(items: list, indexer: Indexer) -> list:
    out: list = []
    where: dict[Any, int] = {}
    for item in items:
        for key, entry in indexer(item):
            if key in where:
                out[where[key]] = entry
            else:
                where[key] = len(out)
                out.append(entry)
    return out


# ---- !reset ------------------------------------------------------------------------------------------------------

def _drop_paths(data: Any, paths: frozenset[KeyPath]) -> Any:
    """`data` without the keys at `paths`, where every step to them is a mapping key.

    The earlier files are seen as Docker Compose holds them between files: a list
    of `networks` or `depends_on` and a `build` string are mappings by then.
    """
    for path in sorted(paths, key=len):
        data = _drop(data, path, ())
    return data


_RESHAPE: dict[str, Callable[[Any], Any]] = {
    "services.*.networks": lambda v: _as_mapping(v, lambda _: None),
    "services.*.models": lambda v: _as_mapping(v, lambda _: None),
    "services.*.depends_on": lambda v: _as_mapping(v, _started),
    "services.*.build": lambda v: {"context": v} if isinstance(v, str) else v,
}
_RESHAPES = [(tuple(p.split(".")), f) for p, f in _RESHAPE.items()]


def _drop(data: Any, path: KeyPath, at: KeyPath) -> Any:
    if not path or not isinstance(data, dict) or path[0] not in data:
        return data
    key = path[0]
    out = dict(data)
    if len(path) == 1:
        del out[key]
        return out
    value = data[key]
    for pattern, reshape in _RESHAPES:
        if _matches(pattern, at + (key,)):
            value = reshape(value)
    if isinstance(value, dict):
        out[key] = _drop(value, path[1:], at + (key,))
    return out


def _strip_items(data: Any, resets: frozenset[KeyPath], path: KeyPath) -> Any:
    """`data` without the sequence items tagged `!reset`."""
    if isinstance(data, dict):
        return {k: _strip_items(v, resets, path + (k,)) for k, v in data.items()}
    if isinstance(data, list):
        return [_strip_items(v, resets, path + (i,)) for i, v in enumerate(data) if path + (i,) not in resets]
    return data
