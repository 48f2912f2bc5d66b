"""From one logical line (keyword, text after it, heredocs) to a typed instruction.

`BUILDERS` is the table: keyword -> function. Each function gets a `Line` and
returns an `Instruction` or raises through `Line.fail`, so every error names the
file and the line where the instruction starts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from engine.build import instructions as i
from engine.build.errors import DockerfileError, did_you_mean
from engine.build.words import json_list, parse_duration, split_words, take_flags

_STAGE_NAME = re.compile(r"^[a-z][a-z0-9_.-]*$")
_RESERVED_STAGE_NAMES = ("scratch", "context")
_BOOL = {"true": True, "false": False}


@dataclass(frozen=True)
class Line:
    """One logical instruction line as the lexer found it."""

    file: str
    escape: str
    keyword: str
    text: str
    line: int
    end_line: int
    heredocs: tuple[i.Heredoc, ...] = ()

    def fail(self, reason: str) -> DockerfileError:
        return DockerfileError(self.file, self.line, reason)

    @property
    def where(self) -> dict[str, int]:
        return {"line": self.line, "end_line": self.end_line}


# keyword -> {flag: repeatable}; flags not listed are refused by name
FLAGS: dict[str, dict[str, bool]] = {
    "FROM": {"platform": False},
    "RUN": {"mount": True, "network": False, "security": False},
    "COPY": {"from": False, "chown": False, "chmod": False, "link": False, "parents": False, "exclude": True},
    "ADD": {"chown": False, "chmod": False, "link": False, "checksum": False, "keep-git-dir": False,
            "exclude": True},
    "HEALTHCHECK": {"interval": False, "timeout": False, "start-period": False, "start-interval": False,
                    "retries": False},
}
_BOOLEAN_FLAGS = {"link", "parents", "keep-git-dir"}


def flags_of(ln: Line) -> tuple[dict[str, list[str]], str]:
    """The instruction's flags by name (values in order) and the text after them."""
    allowed = FLAGS.get(ln.keyword, {})
    found, rest = take_flags(ln.text)
    out: dict[str, list[str]] = {}
    for name, value in found:
        if name not in allowed:
            raise ln.fail(f"unknown flag for {ln.keyword}: --{name}{did_you_mean(name, allowed)}")
        if name in out and not allowed[name]:
            raise ln.fail(f"duplicate flag specified: --{name}")
        if value is None and name not in _BOOLEAN_FLAGS:
            raise ln.fail(f"missing a value for flag: --{name}")
        out.setdefault(name, []).append("true" if value is None else value)
    return out, rest


def _one(flags: dict[str, list[str]], name: str) -> str | None:
    return flags[name][-1] if name in flags else None


def _bool(ln: Line, flags: dict[str, list[str]], name: str) -> bool:
    value = _one(flags, name)
    if value is None:
        return False
    if value.lower() not in _BOOL:
        raise ln.fail(f"expecting boolean value for flag --{name}, not: {value}")
    return _BOOL[value.lower()]


def _command(ln: Line, text: str) -> i.Command:
    exec_args = json_list(text)
    if exec_args is not None:
        return i.Command(exec_args, True)
    if not text.strip():
        raise ln.fail(f"{ln.keyword} requires at least one argument")
    return i.Command.shell(text.strip())


def build_from(ln: Line) -> i.From:
    flags, rest = flags_of(ln)
    words = split_words(rest, ln.escape)
    name = None
    if len(words) == 3 and words[1].lower() == "as":
        name = words[2].lower()
        if not _STAGE_NAME.match(name):
            raise ln.fail(f"invalid name for build stage: {words[2]!r}, name can't start with a number "
                          "or contain symbols")
        if name in _RESERVED_STAGE_NAMES:
            raise ln.fail(f"{words[2]!r} is a reserved name and cannot name a build stage")
    elif len(words) != 1:
        raise ln.fail("FROM requires either one or three arguments: FROM <image> [AS <name>]")
    return i.From(image=words[0], name=name, platform=_one(flags, "platform"), **ln.where)


_MOUNT_TYPES = ("bind", "cache", "tmpfs", "secret", "ssh")
_MOUNT_ALIASES = {"dst": "target", "destination": "target", "src": "source", "ro": "readonly"}


def parse_mount(ln: Line, spec: str) -> i.Mount:
    fields: dict[str, str] = {}
    for part in spec.split(","):
        key, eq, value = part.strip().partition("=")
        key = _MOUNT_ALIASES.get(key.lower(), key.lower())
        if not key:
            continue
        fields[key] = value if eq else "true"
    kind = fields.pop("type", "bind")
    if kind not in _MOUNT_TYPES:
        raise ln.fail(f"unsupported mount type {kind!r}{did_you_mean(kind, _MOUNT_TYPES)}")
    writable = fields.pop("rw", fields.pop("readwrite", None))
    readonly = fields.pop("readonly", "true" if kind == "bind" else "false")  # a bind mount is read-only unless rw
    if writable is not None:
        if writable.lower() not in _BOOL:
            raise ln.fail(f"invalid value for rw: {writable!r}")
        readonly = "false" if _BOOL[writable.lower()] else "true"
    if readonly.lower() not in _BOOL:
        raise ln.fail(f"invalid value for readonly: {readonly!r}")
    target = fields.pop("target", "")
    if not target and kind not in ("secret", "ssh"):
        raise ln.fail(f"mount {spec!r}: target is required")
    return i.Mount(type=kind, target=target, source=fields.pop("source", None), from_=fields.pop("from", None),
                   id=fields.pop("id", None), sharing=fields.pop("sharing", None),
                   readonly=_BOOL[readonly.lower()], options=tuple(sorted(fields.items())))


def build_run(ln: Line) -> i.Run:
    flags, rest = flags_of(ln)
    network = _one(flags, "network")
    if network is not None and network not in ("default", "none", "host"):
        raise ln.fail(f"unsupported network mode {network!r}: use default, none or host")
    security = _one(flags, "security")
    if security is not None and security not in ("sandbox", "insecure"):
        raise ln.fail(f"unsupported security mode {security!r}: use sandbox or insecure")
    mounts = tuple(parse_mount(ln, spec) for spec in flags.get("mount", []))
    return i.Run(command=_command(ln, rest), mounts=mounts, network=network, security=security,
                 heredocs=ln.heredocs, **ln.where)


def build_cmd(ln: Line) -> i.Cmd:
    return i.Cmd(command=_command(ln, ln.text), **ln.where)


def build_entrypoint(ln: Line) -> i.Entrypoint:
    return i.Entrypoint(command=_command(ln, ln.text), **ln.where)


def _paths(ln: Line, rest: str) -> tuple[str, ...]:
    exec_args = json_list(rest)
    words = exec_args if exec_args is not None else tuple(split_words(rest, ln.escape))
    if len(words) < 2:
        raise ln.fail(f"{ln.keyword} requires at least two arguments, but only {len(words)} "
                      "was provided. Destination could not be determined")
    return words


def build_copy(ln: Line) -> i.Copy:
    flags, rest = flags_of(ln)
    words = _paths(ln, rest)
    return i.Copy(sources=words[:-1], dest=words[-1], from_=_one(flags, "from"), chown=_one(flags, "chown"),
                  chmod=_one(flags, "chmod"), link=_bool(ln, flags, "link"), parents=_bool(ln, flags, "parents"),
                  exclude=tuple(flags.get("exclude", [])), heredocs=ln.heredocs, **ln.where)


def build_add(ln: Line) -> i.Add:
    flags, rest = flags_of(ln)
    words = _paths(ln, rest)
    return i.Add(sources=words[:-1], dest=words[-1], chown=_one(flags, "chown"), chmod=_one(flags, "chmod"),
                 link=_bool(ln, flags, "link"), checksum=_one(flags, "checksum"),
                 keep_git_dir=_bool(ln, flags, "keep-git-dir"), exclude=tuple(flags.get("exclude", [])),
                 heredocs=ln.heredocs, **ln.where)


def name_values(ln: Line) -> tuple[tuple[str, str], ...]:
    """`a=b c="d e"` or the legacy `a b c` (one name, the rest of the line its value)."""
    words = split_words(ln.text, ln.escape)
    if not words:
        raise ln.fail(f"{ln.keyword} requires at least one argument")
    if "=" not in words[0]:
        if len(words) < 2:
            raise ln.fail(f"{ln.keyword} {words[0]} has no value: use {ln.keyword} {words[0]}=<value>")
        value = ln.text.strip()[len(words[0]):].strip()
        return ((words[0], value),)
    pairs = []
    for word in words:
        name, eq, value = word.partition("=")
        if not eq:
            raise ln.fail(f"can't find = in {word!r}: {ln.keyword} takes name=value pairs")
        if not name:
            raise ln.fail(f"{ln.keyword} names can not be blank")
        pairs.append((name, value))
    return tuple(pairs)


def build_env(ln: Line) -> i.Env:
    return i.Env(pairs=name_values(ln), **ln.where)


def build_label(ln: Line) -> i.Label:
    return i.Label(pairs=name_values(ln), **ln.where)


def build_arg(ln: Line) -> i.Arg:
    words = split_words(ln.text, ln.escape)
    if not words:
        raise ln.fail("ARG requires at least one argument")
    decls = []
    for word in words:
        name, eq, default = word.partition("=")
        if not name:
            raise ln.fail(f"ARG names can not be blank: {word!r}")
        decls.append(i.ArgDecl(name, default if eq else None))
    return i.Arg(args=tuple(decls), **ln.where)


def _single(ln: Line) -> str:
    text = ln.text.strip()
    if not text:
        raise ln.fail(f"{ln.keyword} requires exactly one argument")
    return text


def build_workdir(ln: Line) -> i.Workdir:
    return i.Workdir(path=_single(ln), **ln.where)


def build_user(ln: Line) -> i.User:
    return i.User(user=_single(ln), **ln.where)


def build_stopsignal(ln: Line) -> i.Stopsignal:
    words = split_words(ln.text, ln.escape)
    if len(words) != 1:
        raise ln.fail("STOPSIGNAL requires exactly one argument")
    return i.Stopsignal(signal=words[0], **ln.where)


def build_maintainer(ln: Line) -> i.Maintainer:
    return i.Maintainer(name=_single(ln), **ln.where)


def build_expose(ln: Line) -> i.Expose:
    words = split_words(ln.text, ln.escape)
    if not words:
        raise ln.fail("EXPOSE requires at least one argument")
    return i.Expose(ports=tuple(words), **ln.where)


def build_volume(ln: Line) -> i.Volume:
    exec_args = json_list(ln.text)
    paths = exec_args if exec_args is not None else tuple(split_words(ln.text, ln.escape))
    if not paths:
        raise ln.fail("VOLUME requires at least one argument")
    if any(not p.strip() for p in paths):
        raise ln.fail("VOLUME specified can not be an empty string")
    return i.Volume(paths=paths, **ln.where)


def build_shell(ln: Line) -> i.Shell:
    argv = json_list(ln.text)
    if not argv or not all(argv):
        raise ln.fail('SHELL requires the arguments in JSON form: SHELL ["executable", "parameters"]')
    return i.Shell(argv=argv, **ln.where)


def _healthcheck_duration(ln: Line, flags: dict[str, list[str]], name: str) -> float | None:
    value = _one(flags, name)
    if value is None:
        return None
    seconds = parse_duration(value)
    if seconds is None:
        raise ln.fail(f"--{name}: {value!r} is not a duration (like 30s, 1m30s, 500ms)")
    if 0 < seconds < 0.001:
        raise ln.fail(f"--{name} cannot be less than 1ms")
    return seconds


def build_healthcheck(ln: Line) -> i.Healthcheck:
    flags, rest = flags_of(ln)
    words = rest.split(None, 1)
    kind = words[0].upper() if words else ""
    if kind == "NONE":
        if flags or len(words) > 1:
            raise ln.fail("HEALTHCHECK NONE takes no arguments")
        return i.Healthcheck(test=None, **ln.where)
    if kind != "CMD":
        raise ln.fail(f"unknown type for HEALTHCHECK: {kind or '(none)'}: use HEALTHCHECK [options] CMD <command>"
                      " or HEALTHCHECK NONE")
    retries = _one(flags, "retries")
    if retries is not None and not retries.isdigit():
        raise ln.fail(f"--retries must be a whole number, not {retries!r}")
    return i.Healthcheck(
        test=_command(ln, words[1] if len(words) > 1 else ""),
        interval=_healthcheck_duration(ln, flags, "interval"),
        timeout=_healthcheck_duration(ln, flags, "timeout"),
        start_period=_healthcheck_duration(ln, flags, "start-period"),
        start_interval=_healthcheck_duration(ln, flags, "start-interval"),
        retries=int(retries) if retries is not None else None,
        **ln.where,
    )


def build_onbuild(ln: Line) -> i.Onbuild:
    text = ln.text.strip()
    if not text:
        raise ln.fail("ONBUILD requires at least one argument")
    keyword, _, rest = text.partition(" ")
    keyword = keyword.upper()
    if keyword in ("ONBUILD", "FROM", "MAINTAINER"):
        raise ln.fail(f"{keyword} isn't allowed as an ONBUILD trigger")
    inner = Line(ln.file, ln.escape, keyword, rest, ln.line, ln.end_line, ln.heredocs)
    return i.Onbuild(trigger=build(inner), text=text, **ln.where)


BUILDERS: dict[str, Callable[[Line], i.Instruction]] = {
    "FROM": build_from, "RUN": build_run, "CMD": build_cmd, "ENTRYPOINT": build_entrypoint,
    "COPY": build_copy, "ADD": build_add, "ENV": build_env, "LABEL": build_label, "ARG": build_arg,
    "WORKDIR": build_workdir, "USER": build_user, "EXPOSE": build_expose, "VOLUME": build_volume,
    "HEALTHCHECK": build_healthcheck, "SHELL": build_shell, "STOPSIGNAL": build_stopsignal,
    "ONBUILD": build_onbuild, "MAINTAINER": build_maintainer,
}


def build(ln: Line) -> i.Instruction:
    builder = BUILDERS.get(ln.keyword)
    if builder is None:
        raise ln.fail(f"unknown instruction: {ln.keyword}{did_you_mean(ln.keyword, BUILDERS)}")
    return builder(ln)
