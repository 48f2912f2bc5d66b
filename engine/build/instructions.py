"""Typed, frozen Dockerfile instructions, as the parser hands them on.

Every instruction keeps its source lines (`line` where it starts, `end_line` where
its last continuation or heredoc ends). Words are kept *as written* (quotes and
`$VAR`s included): substitution is a later, scoped step (`substitution.py`),
because what `$VAR` means depends on the ARGs and ENVs in effect at that line.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, kw_only=True)
class Instruction:
    """One Dockerfile instruction as parsed: keyword, flags, arguments, line."""

    line: int
    end_line: int

    @property
    def keyword(self) -> str:
        return type(self).__name__.upper()


@dataclass(frozen=True)
class Heredoc:
    """`<<EOF` ... `EOF`: `expand` is False when the delimiter was quoted."""

    name: str
    content: str
    expand: bool = True
    strip_tabs: bool = False


@dataclass(frozen=True)
class Command:
    """Exec form `["a", "b"]` (`exec_form`) or shell form (one string, run by the SHELL)."""

    args: tuple[str, ...]
    exec_form: bool

    @classmethod
    def shell(cls, text: str) -> Command:
        return cls((text,), False)


@dataclass(frozen=True)
class Mount:
    """`RUN --mount=type=cache,target=/root/.cache,...`; `options` keeps the keys not named here."""

    type: str = "bind"
    target: str = ""
    source: str | None = None
    from_: str | None = None
    id: str | None = None
    sharing: str | None = None
    readonly: bool = False
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ArgDecl:
    """One `ARG name[=default]`."""

    name: str
    default: str | None = None


@dataclass(frozen=True, kw_only=True)
class From(Instruction):
    """`FROM image [AS name]`."""

    image: str
    name: str | None = None
    platform: str | None = None


@dataclass(frozen=True, kw_only=True)
class Run(Instruction):
    """`RUN`, shell or exec form, with its mounts and network."""

    command: Command
    mounts: tuple[Mount, ...] = ()
    network: str | None = None
    security: str | None = None
    heredocs: tuple[Heredoc, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Cmd(Instruction):
    """`CMD`."""

    command: Command


@dataclass(frozen=True, kw_only=True)
class Entrypoint(Instruction):
    """`ENTRYPOINT`."""

    command: Command


@dataclass(frozen=True, kw_only=True)
class Copy(Instruction):
    """`COPY` and its flags."""

    sources: tuple[str, ...]
    dest: str
    from_: str | None = None
    chown: str | None = None
    chmod: str | None = None
    link: bool = False
    parents: bool = False
    exclude: tuple[str, ...] = ()
    heredocs: tuple[Heredoc, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Add(Instruction):
    """`ADD` and its flags."""

    sources: tuple[str, ...]
    dest: str
    chown: str | None = None
    chmod: str | None = None
    link: bool = False
    checksum: str | None = None
    keep_git_dir: bool = False
    exclude: tuple[str, ...] = ()
    heredocs: tuple[Heredoc, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Env(Instruction):
    """`ENV` pairs."""

    pairs: tuple[tuple[str, str], ...]


@dataclass(frozen=True, kw_only=True)
class Label(Instruction):
    """`LABEL` pairs."""

    pairs: tuple[tuple[str, str], ...]


@dataclass(frozen=True, kw_only=True)
class Arg(Instruction):
    """`ARG` declarations."""

    args: tuple[ArgDecl, ...]


@dataclass(frozen=True, kw_only=True)
class Workdir(Instruction):
    """`WORKDIR`."""

    path: str


@dataclass(frozen=True, kw_only=True)
class User(Instruction):
    """`USER`."""

    user: str


@dataclass(frozen=True, kw_only=True)
class Expose(Instruction):
    """`EXPOSE` ports."""

    ports: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Volume(Instruction):
    """`VOLUME` paths."""

    paths: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Healthcheck(Instruction):
    """`test` is None for `HEALTHCHECK NONE`; durations are seconds (None: not given)."""

    test: Command | None
    interval: float | None = None
    timeout: float | None = None
    start_period: float | None = None
    start_interval: float | None = None
    retries: int | None = None


@dataclass(frozen=True, kw_only=True)
class Shell(Instruction):
    """`SHELL`."""

    argv: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Stopsignal(Instruction):
    """`STOPSIGNAL`."""

    signal: str


@dataclass(frozen=True, kw_only=True)
class Onbuild(Instruction):
    """`ONBUILD RUN make`: `trigger` is the parsed instruction, `text` its source (stored in the image)."""

    trigger: Instruction
    text: str


@dataclass(frozen=True, kw_only=True)
class Maintainer(Instruction):
    """Deprecated: kept as the `maintainer` of the image (Docker now advises a LABEL)."""

    name: str


@dataclass(frozen=True)
class Stage:
    """One `FROM` and the instructions up to the next: `index` counts from 0."""

    index: int
    base: From
    instructions: tuple[Instruction, ...]

    @property
    def name(self) -> str | None:
        return self.base.name


@dataclass(frozen=True)
class Dockerfile:
    """A parsed Dockerfile: the ARGs before the first FROM, then the stages."""

    path: str
    escape: str
    syntax: str | None
    meta_args: tuple[Arg, ...]
    stages: tuple[Stage, ...]
    warnings: tuple[str, ...] = field(default=())
