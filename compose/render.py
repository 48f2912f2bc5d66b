"""Render the canonical project as `docker compose config` prints it, byte for byte.

The canonical project is plain data: the content of Compose's YAML output, parsed.
Compose prints it through Go: its YAML comes from go-yaml (2-space indent, sequences
indented under their key, struct fields in declaration order, map keys in go-yaml's
"natural" order, strings quoted only when they would read back as something else),
its JSON from encoding/json (struct order, map keys sorted by bytes, `<>&` escaped,
and a few fields that are never omitted: `command`, `entrypoint`, `ipam`, ...).

`to_yaml` and `to_json` take the project dict; the small helpers answer the list
flags of `config` (`--services`, `--images`, `--variables`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from functools import cmp_to_key, lru_cache
from typing import Any

from compose.load.canonical.units import go_float
from compose.load.timestamps import go_time, parse_timestamp
from pycompose.gojson import html_safe

__all__ = ["images", "service_order", "to_json", "to_yaml", "yaml_scalar"]

# ---------------------------------------------------------------------------------------------------------------
# The shape of the project: which mappings are Go structs (fields in declaration order) and what each field holds.
# A schema is a struct name (str), ("map", schema), ("list", schema), or None (free data: maps sorted).

Schema = Any


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_MAP, _LIST = "map", "list"

FIELDS: dict[str, tuple[str, ...]] = {
    "project": _words("name services networks volumes secrets configs models"),
    "service": _words("""
        profiles annotations attach build develop blkio_config cap_add cap_drop cgroup_parent cgroup
        cpu_count cpu_percent cpu_period cpu_quota cpu_rt_period cpu_rt_runtime cpus cpuset cpu_shares
        command configs container_name credential_spec depends_on deploy device_cgroup_rules devices dns
        dns_opt dns_search dockerfile domainname entrypoint provider environment env_file expose extends
        external_links extra_hosts group_add gpus hostname healthcheck image init ipc isolation labels
        label_file links logging log_driver log_opt mem_limit mem_reservation memswap_limit mem_swappiness
        mac_address models net network_mode networks oom_kill_disable oom_score_adj pid pids_limit platform
        ports privileged pull_policy read_only restart runtime scale secrets security_opt shm_size
        stdin_open stop_grace_period stop_signal storage_opt sysctls tmpfs tty ulimits use_api_socket user
        userns_mode uts volume_driver volumes volumes_from working_dir post_start pre_stop
    """),
    "build": _words("""
        context dockerfile dockerfile_inline entitlements args provenance sbom ssh labels cache_from
        cache_to no_cache no_cache_filter additional_contexts pull extra_hosts isolation network target
        secrets shm_size tags ulimits platforms privileged
    """),
    "develop": _words("watch"),
    "trigger": _words("path action target exec ignore include initial_sync"),
    "hook": _words("command user privileged working_dir environment"),
    "blkio": _words("weight weight_device device_read_bps device_read_iops device_write_bps device_write_iops"),
    "weight_device": _words("path weight"),
    "throttle_device": _words("path rate"),
    "file_ref": _words("source target uid gid mode"),
    "credential_spec": _words("config file registry"),
    "dependency": _words("condition restart required"),
    "deploy": _words("""
        mode replicas labels update_config rollback_config resources restart_policy placement endpoint_mode
    """),
    "update_config": _words("parallelism delay failure_action monitor max_failure_ratio order"),
    "resources": _words("limits reservations"),
    "resource": _words("cpus memory pids devices generic_resources"),
    "device_request": _words("capabilities driver count device_ids options"),
    "generic_resource": _words("discrete_resource_spec"),
    "discrete_resource": _words("kind value"),
    "restart_policy": _words("condition delay max_attempts window"),
    "placement": _words("constraints preferences max_replicas_per_node"),
    "placement_pref": _words("spread"),
    "device": _words("source target permissions"),
    "healthcheck": _words("test timeout interval retries start_period start_interval disable"),
    "logging": _words("driver options"),
    "service_network": _words("""
        aliases driver_opts gw_priority interface_name ipv4_address ipv6_address link_local_ips mac_address
        priority
    """),
    "port": _words("name mode host_ip target published protocol app_protocol"),
    "mount": _words("type source target read_only consistency bind volume tmpfs image"),
    "mount_bind": _words("selinux propagation create_host_path recursive"),
    "mount_volume": _words("labels nocopy subpath"),
    "mount_tmpfs": _words("size mode"),
    "mount_image": _words("subpath"),
    "ulimit": _words("single soft hard"),
    "extends": _words("file service"),
    "provider": _words("type options"),
    "service_model": _words("endpoint_var model_var"),
    "network": _words("""
        name driver driver_opts ipam external internal attachable labels enable_ipv4 enable_ipv6
    """),
    "ipam": _words("driver config"),
    "ipam_pool": _words("subnet gateway ip_range aux_addresses"),
    "volume": _words("name driver driver_opts external labels"),
    "file_object": _words("name file environment content external labels driver driver_opts template_driver"),
    "model": _words("name model context_size runtime_flags"),
}

CHILDREN: dict[str, dict[str, Schema]] = {
    "project": {
        "services": (_MAP, "service"),
        "networks": (_MAP, "network"),
        "volumes": (_MAP, "volume"),
        "secrets": (_MAP, "file_object"),
        "configs": (_MAP, "file_object"),
        "models": (_MAP, "model"),
    },
    "service": {
        "build": "build",
        "develop": "develop",
        "blkio_config": "blkio",
        "configs": (_LIST, "file_ref"),
        "secrets": (_LIST, "file_ref"),
        "credential_spec": "credential_spec",
        "depends_on": (_MAP, "dependency"),
        "deploy": "deploy",
        "devices": (_LIST, "device"),
        "gpus": (_LIST, "device_request"),
        "healthcheck": "healthcheck",
        "logging": "logging",
        "networks": (_MAP, "service_network"),
        "ports": (_LIST, "port"),
        "volumes": (_LIST, "mount"),
        "ulimits": (_MAP, "ulimit"),
        "extends": "extends",
        "provider": "provider",
        "models": (_MAP, "service_model"),
        "post_start": (_LIST, "hook"),
        "pre_stop": (_LIST, "hook"),
    },
    "build": {"secrets": (_LIST, "file_ref"), "ulimits": (_MAP, "ulimit")},
    "develop": {"watch": (_LIST, "trigger")},
    "trigger": {"exec": "hook"},
    "blkio": {
        "weight_device": (_LIST, "weight_device"),
        "device_read_bps": (_LIST, "throttle_device"),
        "device_read_iops": (_LIST, "throttle_device"),
        "device_write_bps": (_LIST, "throttle_device"),
        "device_write_iops": (_LIST, "throttle_device"),
    },
    "deploy": {
        "update_config": "update_config",
        "rollback_config": "update_config",
        "resources": "resources",
        "restart_policy": "restart_policy",
        "placement": "placement",
    },
    "resources": {"limits": "resource", "reservations": "resource"},
    "resource": {"devices": (_LIST, "device_request"), "generic_resources": (_LIST, "generic_resource")},
    "generic_resource": {"discrete_resource_spec": "discrete_resource"},
    "placement": {"preferences": (_LIST, "placement_pref")},
    "network": {"ipam": "ipam"},
    "ipam": {"config": (_LIST, "ipam_pool")},
    "mount": {"bind": "mount_bind", "volume": "mount_volume", "tmpfs": "mount_tmpfs", "image": "mount_image"},
}

# JSON-only differences: fields Go never omits (absent -> this value), and fields without a json tag.
JSON_ALWAYS: dict[str, dict[str, Any]] = {
    "service": {"command": None, "entrypoint": None},
    "deploy": {"resources": {}, "placement": {}},
    "network": {"ipam": {}},
    "trigger": {"exec": {"command": None}},
    "hook": {"command": None},
}
JSON_NAMES: dict[str, dict[str, str]] = {
    "weight_device": {"path": "Path", "weight": "Weight"},
    "throttle_device": {"path": "Path", "rate": "Rate"},
}

_RANK = {name: {f: i for i, f in enumerate(fields)} for name, fields in FIELDS.items()}

# ---------------------------------------------------------------------------------------------------------------
# Key order.


def _natural_cmp(a: str, b: str) -> int:
    """go-yaml's order of map keys: letters by code point, runs of digits by value (`a2` < `a10`)."""
    digits = False
    for i in range(min(len(a), len(b))):
        ca, cb = a[i], b[i]
        if ca == cb:
            digits = ca.isdigit()
            continue
        al, bl = ca.isalpha(), cb.isalpha()
        if al and bl:
            return -1 if ca < cb else 1
        if al or bl:
            return (-1 if al else 1) if digits else (-1 if bl else 1)
        an = bn = 0
        if ca == "0" or cb == "0":
            j = i - 1
            while j >= 0 and a[j].isdigit():
                if a[j] != "0":
                    an = bn = 1
                    break
                j -= 1
        ai = i
        while ai < len(a) and a[ai].isdigit():
            an = an * 10 + int(a[ai])
            ai += 1
        bi = i
        while bi < len(b) and b[bi].isdigit():
            bn = bn * 10 + int(b[bi])
            bi += 1
        if an != bn:
            return -1 if an < bn else 1
        if ai != bi:
            return -1 if ai < bi else 1
        return -1 if ca < cb else 1
    return (len(a) > len(b)) - (len(a) < len(b))


_natural_key = cmp_to_key(_natural_cmp)


def _yaml_sorted(keys: Iterable[Any]) -> list[Any]:
    return sorted(keys, key=lambda k: _natural_key(str(k)))


def _struct_keys(name: str, value: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """The fields of a struct in Go's order, then its `x-` extensions (and anything unknown) sorted."""
    rank = _RANK[name]
    known = sorted((k for k in value if k in rank), key=rank.__getitem__)
    rest = [k for k in value if k not in rank]
    return known, rest


# ---------------------------------------------------------------------------------------------------------------
# YAML scalars, as go-yaml chooses their style.

_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_BASE60 = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")
_GO_INT = re.compile(r"[-+]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[1-9][0-9]*|0)")
_RESERVED = set(
    _words("""
    ~ null Null NULL true True TRUE false False FALSE
    .nan .NaN .NAN .inf .Inf .INF +.inf +.Inf +.INF -.inf -.Inf -.INF
""")
) | {""}
_OLD_BOOLS = {"y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "n", "N", "no", "No", "NO", "off", "Off", "OFF"}
_INDICATORS_FIRST = set("#,[]{}&*!|>'\"%@`")
_FLOW_INDICATORS = set(",?[]{}")
_ESCAPES = {
    "\0": "\\0",
    "\a": "\\a",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\v": "\\v",
    "\f": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
    '"': '\\"',
    "\\": "\\\\",
    "\x85": "\\N",
    "\u2028": "\\L",
    "\u2029": "\\P",
}


def _resolves_to_non_string(s: str) -> bool:
    """Would go-yaml read this plain scalar as anything but a string (null, bool, number, time, merge)?"""
    if s in _RESERVED:
        return True
    first = s[0]
    if first == ".":
        return _is_float(s)
    if not (first.isdigit() or first in "+-"):
        return False
    if first.isdigit() and parse_timestamp(s) is not None:
        return True
    plain = s.replace("_", "")
    if _GO_INT.fullmatch(plain) and _fits_int(plain):
        return True
    return bool(_YAML_FLOAT.fullmatch(plain)) and _is_float(plain)


def _fits_int(text: str) -> bool:
    body = text.lstrip("+-")
    base = 8 if len(body) > 1 and body[0] == "0" and body[1].isdigit() else 0
    value = int(text, base)
    return -(2**63) <= value < 2**64


def _is_float(s: str) -> bool:
    """Does Go's strconv.ParseFloat accept `s` (finite, or an explicit infinity)?"""
    try:
        return not math.isinf(float(s))
    except ValueError:
        return False


def _printable(c: str) -> bool:
    o = ord(c)
    return (o == 0x0A or 0x20 <= o <= 0x7E or 0xA0 <= o <= 0xD7FF or 0xE000 <= o <= 0xFFFD) and o != 0xFEFF


_BLANKS = " \t\r\n\x85\u2028\u2029"
_BREAKS = "\n\r\x85\u2028\u2029"


def _has_block_indicators(s: str) -> bool:
    """Does `s` hold what a plain scalar cannot start with or contain (`- `, `: `, ` #`, `[`...)?"""
    if s.startswith(("---", "...")) or s[0] in _INDICATORS_FIRST:
        return True
    if s[0] in "?:-" and (len(s) == 1 or s[1] in _BLANKS):
        return True
    for i in range(1, len(s)):
        c = s[i]
        if c == ":" and (i + 1 == len(s) or s[i + 1] in _BLANKS):
            return True
        if c == "#" and s[i - 1] in _BLANKS:
            return True
    return False


def _whitespace(s: str) -> tuple[bool, bool, bool, bool]:
    """(space or break at either end, a space after a break, a break after a space, a trailing space)."""
    edge = s[0] in " " + _BREAKS or s[-1] in " " + _BREAKS
    break_space = space_break = False
    for prev, c in zip(s, s[1:], strict=False):
        if c == " " and prev in _BREAKS:
            break_space = True
        elif c in _BREAKS and prev == " ":
            space_break = True
    return edge, break_space, space_break, s[-1] == " "


def _analyze(s: str) -> tuple[bool, bool, bool]:
    """libyaml's scalar analysis: (plain allowed in block context, single quotes allowed, literal block allowed)."""
    special = not all(map(_printable, s))
    line_breaks = any(c in _BREAKS for c in s)
    edge, break_space, space_break, trailing_space = _whitespace(s)
    plain = not (edge or break_space or space_break or special or line_breaks or _has_block_indicators(s))
    single = not (break_space or space_break or special)
    block = not (trailing_space or space_break or special)
    return plain, single, block


def _double_quoted(s: str) -> str:
    out = ['"']
    for c in s:
        esc = _ESCAPES.get(c)
        if esc is not None:
            out.append(esc)
        elif _printable(c):
            out.append(c)
        else:
            o = ord(c)
            out.append(f"\\x{o:02X}" if o <= 0xFF else f"\\u{o:04X}" if o <= 0xFFFF else f"\\U{o:08X}")
    out.append('"')
    return "".join(out)


@lru_cache(maxsize=65536)
def yaml_scalar(s: str, key: bool = False) -> str:
    """A string as go-yaml writes it inline: plain, 'single', "double"; or `|-` for a literal block header.

    A literal block is returned as `|<hints>\\n<line>\\n<line>...` with lines unindented; the emitter indents them.
    """
    if not s:
        return '""'
    plain_ok = not _resolves_to_non_string(s) and not _BASE60.fullmatch(s) and s not in _OLD_BOOLS
    can_plain, can_single, can_block = _analyze(s)
    if "\n" in s:
        if key or not can_block:
            return _double_quoted(s)
        return _literal(s)
    if plain_ok:
        if can_plain:
            return s
        if can_single:
            return "'" + s.replace("'", "''") + "'"
    return _double_quoted(s)


def _literal(s: str) -> str:
    hints = "|"
    if s[0] in " \n":
        hints += "2"
    if not s.endswith("\n"):
        hints += "-"
    elif s == "\n" or s.endswith("\n\n"):
        hints += "+"
    body = s[:-1] if s.endswith("\n") else s
    return hints + "\n" + body


def _go_float(value: float, *, json_style: bool) -> str:
    """A float as Go prints it: go-yaml's strconv 'g' form (`.nan`, `.inf`), or encoding/json's."""
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    return go_float(value, json_style=json_style)


def _yaml_atom(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return go_time(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _go_float(value, json_style=False)
    return yaml_scalar(str(value))


# ---------------------------------------------------------------------------------------------------------------
# YAML emission.


def _child(schema: Schema, key: str) -> Schema:
    if isinstance(schema, str):
        return CHILDREN.get(schema, {}).get(key)
    if isinstance(schema, tuple) and schema[0] == _MAP:
        return schema[1]
    return None


def _ordered(value: Mapping[Any, Any], schema: Schema) -> list[Any]:
    if isinstance(schema, str):
        known, rest = _struct_keys(schema, value)
        return known + _yaml_sorted(rest)
    return _yaml_sorted(value)


def _emit_map(out: list[str], value: Mapping[Any, Any], schema: Schema, indent: str, first_prefix: str) -> None:
    """Write a block mapping; its first line starts with `first_prefix` (a `- ` of a sequence item, or indent)."""
    prefix = first_prefix
    for key in _ordered(value, schema):
        item = value[key]
        label = prefix + yaml_scalar(str(key), True) + ":"
        prefix = indent
        _emit_value(out, label, item, _child(schema, str(key)), indent)


def _emit_value(out: list[str], label: str, item: Any, schema: Schema, indent: str) -> None:
    """Write `label` (a `key:` or a `-`) followed by `item`, nested one level under `indent`."""
    if isinstance(item, Mapping):
        if not item:
            out.append(label + " {}")
            return
        if label.endswith(":"):
            out.append(label)
            _emit_map(out, item, schema, indent + "  ", indent + "  ")
        else:
            _emit_map(out, item, schema, indent + "  ", label + " ")
        return
    if isinstance(item, list | tuple):
        if not item:
            out.append(label + " []")
            return
        inner = schema[1] if isinstance(schema, tuple) and schema[0] == _LIST else None
        if label.endswith(":"):
            out.append(label)
            _emit_list(out, item, inner, indent + "  ", indent + "  ")
        else:
            _emit_list(out, item, inner, indent + "  ", label + " ")
        return
    text = _yaml_atom(item)
    if text.startswith("|"):
        header, _, body = text.partition("\n")
        out.append(label + " " + header)
        pad = indent + "  "
        out.extend(pad + line if line else "" for line in body.split("\n"))
        return
    out.append(label + " " + text)


def _emit_list(out: list[str], items: Iterable[Any], schema: Schema, indent: str, first_prefix: str) -> None:
    prefix = first_prefix
    for item in items:
        _emit_value(out, prefix + "-", item, schema, indent)
        prefix = indent


def to_yaml(project: Mapping[str, Any], *, escape_dollars: bool = False, as_map: bool = False) -> str:
    """The project as `docker compose config` prints it (YAML).

    `escape_dollars`: write every `$` as `$$`, as Compose does to an interpolated project so that its output
    loads back to the same values (`config` without `--no-interpolate`).
    `as_map`: every mapping's keys sorted, no struct order: with `--no-interpolate` Compose prints its
    model, a plain map, instead of the project's structs.
    """
    out: list[str] = []
    _emit_map(out, project, None if as_map else "project", "", "")
    text = "\n".join(out) + "\n"
    return text.replace("$", "$$") if escape_dollars else text


# ---------------------------------------------------------------------------------------------------------------
# JSON.

_FLOAT_MARK = "\x00float:"


def _json_value(value: Any, schema: Schema, floats: list[str]) -> Any:
    if isinstance(value, Mapping):
        if isinstance(schema, str):
            return _json_struct(value, schema, floats)
        inner = schema[1] if isinstance(schema, tuple) and schema[0] == _MAP else None
        return {str(k): _json_value(value[k], inner, floats) for k in sorted(value, key=str)}
    if isinstance(value, list | tuple):
        inner = schema[1] if isinstance(schema, tuple) and schema[0] == _LIST else None
        return [_json_value(v, inner, floats) for v in value]
    if isinstance(value, dt.datetime):
        return go_time(value)
    if isinstance(value, float) and not isinstance(value, bool):
        if value.is_integer() and abs(value) < 1e21:
            return int(value)
        floats.append(_go_float(value, json_style=True))
        return f"{_FLOAT_MARK}{len(floats) - 1}"
    return value


def _json_struct(value: Mapping[str, Any], schema: str, floats: list[str]) -> dict[str, Any]:
    always = JSON_ALWAYS.get(schema, {})
    names = JSON_NAMES.get(schema, {})
    merged = dict(value)
    for key, default in always.items():
        if key not in merged:
            merged[key] = default
    if schema == "ulimit":  # the soft/hard struct has `omitempty` in JSON only
        merged = {k: v for k, v in merged.items() if v != 0}
    known, rest = _struct_keys(schema, merged)
    keys = known + sorted(k for k in rest if not str(k).startswith("x-"))
    if schema == "project":
        keys = sorted(keys + [k for k in rest if str(k).startswith("x-")])
    children = CHILDREN.get(schema, {})
    return {names.get(k, k): _json_value(merged[k], children.get(k), floats) for k in keys}


_FLOAT_RE = re.compile('"\\\\u0000float:(\\d+)"')


def to_json(project: Mapping[str, Any], *, escape_dollars: bool = False, as_map: bool = False) -> str:
    """The project as `docker compose config --format json` prints it; the options as for `to_yaml`."""
    floats: list[str] = []
    data = _json_value(project, None, floats) if as_map else _json_struct(project, "project", floats)
    import json  # only JSON output needs it

    text = json.dumps(data, indent=2, ensure_ascii=False)
    text = html_safe(text)
    if floats:
        text = _FLOAT_RE.sub(lambda m: floats[int(m.group(1))], text)
    if escape_dollars:
        text = text.replace("$", "$$")
    return text  # encoding/json's MarshalIndent, written without a final newline


# ---------------------------------------------------------------------------------------------------------------
# The list flags of `config`.


def service_order(project: Mapping[str, Any]) -> list[str]:
    """Service names, dependencies first (`config --services`); ties in name order.

    Compose walks the graph concurrently, so its own order among independent services varies from run to run.
    """
    services: Mapping[str, Any] = project.get("services") or {}
    done: list[str] = []
    seen: set[str] = set()

    def visit(name: str, stack: tuple[str, ...]) -> None:
        if name in seen or name not in services or name in stack:
            return
        for dep in sorted((services[name] or {}).get("depends_on") or {}):
            visit(dep, stack + (name,))
        seen.add(name)
        done.append(name)

    for name in sorted(services):
        visit(name, ())
    return done


def images(project: Mapping[str, Any]) -> list[str]:
    """Image names, one per service (`config --images`): `image:`, or `<project>-<service>` when only built."""
    name = project.get("name", "")
    out = []
    for service, config in sorted((project.get("services") or {}).items()):
        image = (config or {}).get("image") or f"{name}-{service}"
        out.append(image)
    return out
