"""`--change` instructions (`import`, `commit`): the Dockerfile subset Docker accepts there.

CMD, ENTRYPOINT, ENV, WORKDIR, USER, EXPOSE, LABEL, VOLUME, each applied to an image
config's `config` object. Exec form (`CMD ["sh", "-c", "x"]`) is taken as is; shell
form (`CMD echo hi`) becomes `["/bin/sh", "-c", "echo hi"]`, as Docker does.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable, Iterable
from typing import Any

from engine.images.errors import BadImage


def _json_or_shell(value: str, instr: str) -> list[str]:
    if value.startswith("["):
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            parsed = None
        if isinstance(parsed, list) and all(isinstance(x, str) for x in parsed):
            return parsed
    return ["/bin/sh", "-c", value]


def _json_or_words(value: str, instr: str) -> list[str]:
    if value.startswith("["):
        try:
            parsed = json.loads(value)
            if isinstance(parsed, list) and all(isinstance(x, str) for x in parsed):
                return parsed
        except json.JSONDecodeError:
            pass
        raise BadImage(f"--change `{instr} {value}`: a JSON list of strings was expected")
    return value.split()


def _pairs(value: str, instr: str) -> list[tuple[str, str]]:
    """`k=v k2="v 2"`, or the legacy one-pair form `k v`."""
    try:
        words = shlex.split(value)
    except ValueError as err:
        raise BadImage(f"--change `{instr} {value}`: {err}") from None
    if not words:
        raise BadImage(f"--change `{instr}` needs at least one key")
    if "=" not in words[0]:
        key, _, rest = value.partition(" ")
        return [(key, rest.strip())]
    out = []
    for w in words:
        key, eq, val = w.partition("=")
        if not eq or not key:
            raise BadImage(f"--change `{instr} {value}`: `{w}` is not key=value")
        out.append((key, val))
    return out


def _cmd(c: dict[str, Any], v: str) -> None:
    c["Cmd"] = _json_or_shell(v, "CMD")


def _entrypoint(c: dict[str, Any], v: str) -> None:
    c["Entrypoint"] = _json_or_shell(v, "ENTRYPOINT")


def _env(c: dict[str, Any], v: str) -> None:
    env = {e.partition("=")[0]: e for e in c.get("Env") or []}
    for key, val in _pairs(v, "ENV"):
        env[key] = f"{key}={val}"
    c["Env"] = list(env.values())


def _label(c: dict[str, Any], v: str) -> None:
    c["Labels"] = {**(c.get("Labels") or {}), **dict(_pairs(v, "LABEL"))}


def _expose(c: dict[str, Any], v: str) -> None:
    ports = dict(c.get("ExposedPorts") or {})
    for p in v.split():
        port, _, proto = p.partition("/")
        if not port.isdigit() or proto not in ("", "tcp", "udp", "sctp"):
            raise BadImage(f"--change `EXPOSE {v}`: `{p}` is not a port (80, 80/tcp, 53/udp)")
        ports[f"{port}/{proto or 'tcp'}"] = {}
    c["ExposedPorts"] = ports


def _volume(c: dict[str, Any], v: str) -> None:
    c["Volumes"] = {**(c.get("Volumes") or {}), **{p: {} for p in _json_or_words(v, "VOLUME")}}


def _set(key: str) -> Callable[[dict[str, Any], str], None]:
    def apply(c: dict[str, Any], v: str) -> None:
        c[key] = v

    return apply


INSTRUCTIONS: dict[str, Callable[[dict[str, Any], str], None]] = {
    "CMD": _cmd, "ENTRYPOINT": _entrypoint, "ENV": _env, "LABEL": _label, "EXPOSE": _expose,
    "VOLUME": _volume, "WORKDIR": _set("WorkingDir"), "USER": _set("User"),
}


def apply(config: dict[str, Any], changes: Iterable[str]) -> dict[str, Any]:
    """A copy of the container config `config` with `changes` applied in order."""
    out = json.loads(json.dumps(config))
    for change in changes:
        instr, _, value = change.strip().partition(" ")
        fn = INSTRUCTIONS.get(instr.upper())
        if fn is None:
            raise BadImage(f"--change `{change}`: {instr.upper() or 'an empty instruction'} is not one of "
                           f"{', '.join(INSTRUCTIONS)}")
        if not value.strip():
            raise BadImage(f"--change `{change}`: {instr.upper()} needs a value")
        fn(out, value.strip())
    return out
