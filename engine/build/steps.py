"""Metadata steps: an expanded instruction -> the new container config and its history `created_by`.

One function per instruction in `METADATA`, each `(config, ins, shell) -> config`; none of
them touches a file. `created_by` is written as Docker's legacy builder writes it:
`/bin/sh -c #(nop)  ENV A=1` (the SHELL in effect, `#(nop)`, two spaces), so `image
history` reads the same as Docker's.
"""

from __future__ import annotations

import copy
import json
import posixpath
from collections.abc import Callable
from typing import Any

from engine.build import instructions as i
from engine.build.errors import DockerfileError

Config = dict[str, Any]
NS = 1_000_000_000


def command(cmd: i.Command, shell: tuple[str, ...]) -> list[str]:
    return list(cmd.args) if cmd.exec_form else [*shell, cmd.args[0]]


def nop(shell: tuple[str, ...], text: str, spaces: int = 2) -> str:
    return f"{' '.join(shell)} #(nop){' ' * spaces}{text}"


def _env(c: Config, ins: i.Env, shell: tuple[str, ...]) -> Config:
    env = {e.partition("=")[0]: e for e in c.get("Env") or []}
    for key, value in ins.pairs:
        env[key] = f"{key}={value}"
    c["Env"] = list(env.values())
    return c


def _label(c: Config, ins: i.Label, shell: tuple[str, ...]) -> Config:
    c["Labels"] = {**(c.get("Labels") or {}), **dict(ins.pairs)}
    return c


def _workdir(c: Config, ins: i.Workdir, shell: tuple[str, ...]) -> Config:
    c["WorkingDir"] = workdir_of(c, ins.path)
    return c


def workdir_of(c: Config, path: str) -> str:
    return posixpath.normpath(posixpath.join(c.get("WorkingDir") or "/", path))


def _user(c: Config, ins: i.User, shell: tuple[str, ...]) -> Config:
    c["User"] = ins.user
    return c


def _expose(c: Config, ins: i.Expose, shell: tuple[str, ...]) -> Config:
    ports = dict(c.get("ExposedPorts") or {})
    for spec in ins.ports:
        port, _, proto = spec.partition("/")
        proto = (proto or "tcp").lower()
        first, _, last = port.partition("-")
        if not first.isdigit() or (last and not last.isdigit()) or proto not in ("tcp", "udp", "sctp"):
            raise DockerfileError("Dockerfile", ins.line, f"EXPOSE {spec}: not a port (80, 80/udp, 8000-8010)")
        for number in range(int(first), int(last or first) + 1):
            ports[f"{number}/{proto}"] = {}
    c["ExposedPorts"] = ports
    return c


def _volume(c: Config, ins: i.Volume, shell: tuple[str, ...]) -> Config:
    c["Volumes"] = {**(c.get("Volumes") or {}), **{p: {} for p in ins.paths}}
    return c


def _cmd(c: Config, ins: i.Cmd, shell: tuple[str, ...]) -> Config:
    c["Cmd"] = command(ins.command, shell)
    return c


def _entrypoint(c: Config, ins: i.Entrypoint, shell: tuple[str, ...]) -> Config:
    c["Entrypoint"] = command(ins.command, shell)
    return c


def _healthcheck(c: Config, ins: i.Healthcheck, shell: tuple[str, ...]) -> Config:
    if ins.test is None:
        c["Healthcheck"] = {"Test": ["NONE"]}
        return c
    test = ["CMD", *ins.test.args] if ins.test.exec_form else ["CMD-SHELL", ins.test.args[0]]
    check: dict[str, Any] = {"Test": test}
    for key, value in (("Interval", ins.interval), ("Timeout", ins.timeout), ("StartPeriod", ins.start_period),
                       ("StartInterval", ins.start_interval)):
        if value is not None:
            check[key] = int(value * NS)
    if ins.retries is not None:
        check["Retries"] = ins.retries
    c["Healthcheck"] = check
    return c


def _shell(c: Config, ins: i.Shell, shell: tuple[str, ...]) -> Config:
    c["Shell"] = list(ins.argv)
    return c


def _stopsignal(c: Config, ins: i.Stopsignal, shell: tuple[str, ...]) -> Config:
    c["StopSignal"] = ins.signal
    return c


def _onbuild(c: Config, ins: i.Onbuild, shell: tuple[str, ...]) -> Config:
    c["OnBuild"] = [*(c.get("OnBuild") or []), ins.text]
    return c


def _arg(c: Config, ins: i.Arg, shell: tuple[str, ...]) -> Config:
    return c


def _maintainer(c: Config, ins: i.Maintainer, shell: tuple[str, ...]) -> Config:
    return c


METADATA: dict[type, Callable[[Config, Any, tuple[str, ...]], Config]] = {
    i.Env: _env, i.Label: _label, i.Workdir: _workdir, i.User: _user, i.Expose: _expose, i.Volume: _volume,
    i.Cmd: _cmd, i.Entrypoint: _entrypoint, i.Healthcheck: _healthcheck, i.Shell: _shell,
    i.Stopsignal: _stopsignal, i.Onbuild: _onbuild, i.Arg: _arg, i.Maintainer: _maintainer,
}


def apply(config: Config, ins: i.Instruction, shell: tuple[str, ...]) -> Config:
    return METADATA[type(ins)](copy.deepcopy(config), ins, shell)


def _pairs(pairs: tuple[tuple[str, str], ...]) -> str:
    return " ".join(f"{k}={json.dumps(v) if (not v or any(ch.isspace() for ch in v)) else v}" for k, v in pairs)


def _duration(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds:g}s"


def describe(ins: i.Instruction) -> str:  # noqa: C901, PLR0911 - one branch per instruction
    """The instruction as history shows it (after substitution): `ENV A=1`, `CMD ["sh"]`, `EXPOSE 80/tcp`."""
    if isinstance(ins, (i.Env, i.Label)):
        return f"{ins.keyword} {_pairs(ins.pairs)}"
    if isinstance(ins, i.Arg):
        return "ARG " + " ".join(d.name if d.default is None else f"{d.name}={d.default}" for d in ins.args)
    if isinstance(ins, (i.Cmd, i.Entrypoint)):
        cmd = ins.command
        return f"{ins.keyword} {json.dumps(list(cmd.args)) if cmd.exec_form else cmd.args[0]}"
    if isinstance(ins, i.Workdir):
        return f"WORKDIR {ins.path}"
    if isinstance(ins, i.User):
        return f"USER {ins.user}"
    if isinstance(ins, i.Expose):
        return "EXPOSE " + " ".join(p if "/" in p else f"{p}/tcp" for p in ins.ports)
    if isinstance(ins, i.Volume):
        return f"VOLUME {json.dumps(list(ins.paths))}"
    if isinstance(ins, i.Shell):
        return f"SHELL {json.dumps(list(ins.argv))}"
    if isinstance(ins, i.Stopsignal):
        return f"STOPSIGNAL {ins.signal}"
    if isinstance(ins, i.Onbuild):
        return f"ONBUILD {ins.text}"
    if isinstance(ins, i.Maintainer):
        return f"MAINTAINER {ins.name}"
    if isinstance(ins, i.Healthcheck):
        if ins.test is None:
            return "HEALTHCHECK NONE"
        flags = " ".join(f"--{name}={_duration(value)}" for name, value in (
            ("interval", ins.interval), ("timeout", ins.timeout), ("start-period", ins.start_period),
            ("start-interval", ins.start_interval)) if value is not None)
        if ins.retries is not None:
            flags += f" --retries={ins.retries}"
        test = json.dumps(list(ins.test.args)) if ins.test.exec_form else ins.test.args[0]
        return f"HEALTHCHECK {flags + ' ' if flags.strip() else ''}CMD {test}".replace("  ", " ")
    return ins.keyword
