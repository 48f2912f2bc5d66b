"""`StageScope`: the ARGs and ENVs in effect while walking one stage, and each instruction expanded in it.

Lifecycle: make one per stage (with the global values, the build-args and the
base's ENV), then hand it the stage's instructions in order; `expand` returns the
instruction with its words substituted and then applies it to the scope (ARG
declares, ENV sets). `run_env()` is the environment a RUN at that point sees.

    scope = StageScope(meta, build_args, base_env={"PATH": "/usr/bin"})
    for ins in stage.instructions:
        ins = scope.expand(ins)          # Workdir(path="/src/app"), ...
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

from engine.build import instructions as i
from engine.build.errors import DockerfileError, SubstitutionError
from engine.build.substitution import PROXY_ARGS, expand_text, process_word, process_words

T = TypeVar("T")


class StageScope:
    def __init__(self, meta: Mapping[str, str], build_args: Mapping[str, str], *,
                 base_env: Mapping[str, str] | None = None, file: str = "Dockerfile", escape: str = "\\"):
        self.meta = dict(meta)
        self.build_args = dict(build_args)
        self.env: dict[str, str] = dict(base_env or {})
        self.args: dict[str, str] = {}
        self.file, self.escape = file, escape
        self._line = 0

    @property
    def values(self) -> dict[str, str]:
        """What `$NAME` means here: declared ARGs, overridden by ENV."""
        return {**self.args, **self.env}

    def run_env(self) -> dict[str, str]:
        """The environment of a RUN here: proxy build-args, declared ARGs, then ENV."""
        proxies = {k: v for k, v in self.build_args.items() if k in PROXY_ARGS}
        return {**proxies, **self.args, **self.env}

    def used_build_args(self) -> set[str]:
        return set(self.args) & set(self.build_args)

    def _word(self, text: str) -> str:
        return self._call(process_word, text)

    def _words(self, items: Iterable[str]) -> tuple[str, ...]:
        return tuple(w for text in items for w in self._call(process_words, text))

    def _opt(self, text: str | None) -> str | None:
        return None if text is None else self._word(text)

    def _call(self, fn: Callable[[str, Mapping[str, str], str], T], text: str) -> T:
        try:
            return fn(text, self.values, self.escape)
        except SubstitutionError as err:
            raise DockerfileError(self.file, self._line, err.message) from None

    def expand(self, ins: i.Instruction) -> i.Instruction:
        self._line = ins.line
        handler = _HANDLERS.get(type(ins))
        return handler(self, ins) if handler else ins

    # one method per substituted instruction; the others pass through unchanged

    def _arg(self, ins: i.Arg) -> i.Arg:
        decls = []
        for decl in ins.args:
            default = self._opt(decl.default)
            value = self.build_args.get(decl.name)
            if value is None:
                value = default if decl.default is not None else self.meta.get(decl.name)
            if value is not None:
                self.args[decl.name] = value
            else:
                self.args.pop(decl.name, None)
            decls.append(i.ArgDecl(decl.name, default))
        return dataclasses.replace(ins, args=tuple(decls))

    def _env(self, ins: i.Env) -> i.Env:
        pairs = tuple((self._word(k), self._word(v)) for k, v in ins.pairs)
        self.env.update(pairs)
        return dataclasses.replace(ins, pairs=pairs)

    def _label(self, ins: i.Label) -> i.Label:
        return dataclasses.replace(ins, pairs=tuple((self._word(k), self._word(v)) for k, v in ins.pairs))

    def _heredocs(self, docs: tuple[i.Heredoc, ...]) -> tuple[i.Heredoc, ...]:
        return tuple(dataclasses.replace(d, content=self._call(expand_text, d.content)) if d.expand else d
                     for d in docs)

    def _copy(self, ins: i.Copy) -> i.Copy:
        return dataclasses.replace(
            ins, sources=tuple(self._word(s) for s in ins.sources), dest=self._word(ins.dest),
            from_=self._opt(ins.from_), chown=self._opt(ins.chown), chmod=self._opt(ins.chmod),
            exclude=tuple(self._word(e) for e in ins.exclude), heredocs=self._heredocs(ins.heredocs))

    def _add(self, ins: i.Add) -> i.Add:
        return dataclasses.replace(
            ins, sources=tuple(self._word(s) for s in ins.sources), dest=self._word(ins.dest),
            chown=self._opt(ins.chown), chmod=self._opt(ins.chmod), checksum=self._opt(ins.checksum),
            exclude=tuple(self._word(e) for e in ins.exclude), heredocs=self._heredocs(ins.heredocs))

    def _run(self, ins: i.Run) -> i.Run:
        mounts = tuple(dataclasses.replace(m, target=self._word(m.target), source=self._opt(m.source),
                                           from_=self._opt(m.from_), id=self._opt(m.id)) for m in ins.mounts)
        return dataclasses.replace(ins, mounts=mounts)

    def _workdir(self, ins: i.Workdir) -> i.Workdir:
        return dataclasses.replace(ins, path=self._word(ins.path))

    def _user(self, ins: i.User) -> i.User:
        return dataclasses.replace(ins, user=self._word(ins.user))

    def _stopsignal(self, ins: i.Stopsignal) -> i.Stopsignal:
        return dataclasses.replace(ins, signal=self._word(ins.signal))

    def _expose(self, ins: i.Expose) -> i.Expose:
        return dataclasses.replace(ins, ports=self._words(ins.ports))

    def _volume(self, ins: i.Volume) -> i.Volume:
        return dataclasses.replace(ins, paths=self._words(ins.paths))


_HANDLERS: dict[type, Callable[[StageScope, i.Instruction], i.Instruction]] = {
    i.Arg: StageScope._arg, i.Env: StageScope._env, i.Label: StageScope._label, i.Copy: StageScope._copy,
    i.Add: StageScope._add, i.Run: StageScope._run, i.Workdir: StageScope._workdir, i.User: StageScope._user,
    i.Stopsignal: StageScope._stopsignal, i.Expose: StageScope._expose, i.Volume: StageScope._volume,
}  # type: ignore[dict-item]
