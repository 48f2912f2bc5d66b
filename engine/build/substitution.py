"""`$VAR` substitution in Dockerfile words, and the ARG/ENV scope it reads.

Rules (the Dockerfile reference's):
- `$VAR`, `${VAR}`; `${VAR:-word}` word if unset or empty, `${VAR-word}` if unset;
  `${VAR:+word}` word if set and not empty, `${VAR+word}` if set; `${VAR:?msg}` /
  `${VAR?msg}` fail. An unset variable is the empty string. `word` is itself expanded.
- The escape character makes the next character literal (`\\$HOME` stays `$HOME`);
  single quotes are literal; double quotes expand but group (quotes are removed).
- Substituted: ADD COPY ENV EXPOSE FROM LABEL STOPSIGNAL USER VOLUME WORKDIR, ARG
  defaults, RUN --mount options; ONBUILD triggers when they run in the child build.
  RUN CMD ENTRYPOINT are not: the shell does it.
- Scope: global ARGs (before the first FROM) are seen by FROM lines only; a stage
  sees an ARG after declaring it (`ARG NAME` takes the build-arg or the global
  default); ENV overrides an ARG of the same name; a stage built FROM another starts
  with that stage's ENV. Proxy ARGs (HTTP_PROXY ...) reach RUN without a declaration.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from engine.build import instructions as i
from engine.build.errors import DockerfileError, SubstitutionError

_PROXIES = ("HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY", "ALL_PROXY")
PROXY_ARGS = frozenset(name for base in _PROXIES for name in (base, base.lower()))
PLATFORM_ARGS = ("TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT",
                 "BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT")


class _Words:
    """Words being built: a quoted empty string is a word, an empty unquoted expansion is none."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.cur: list[str] = []
        self.started = False

    def add(self, piece: str) -> None:
        self.cur.append(piece)
        self.started = True

    def end(self) -> None:
        if self.started:
            self.out.append("".join(self.cur))
        self.cur, self.started = [], False

    def fields(self, value: str) -> None:
        """An unquoted expansion: its whitespace splits words, as a shell's field splitting does."""
        if value[:1].isspace():
            self.end()
        parts = value.split()
        for n, part in enumerate(parts):
            if n:
                self.end()
            self.add(part)
        if value[-1:].isspace():
            self.end()

    def finish(self, split: bool) -> list[str]:
        if self.started or not split:
            self.out.append("".join(self.cur))
        return self.out


class _Lexer:
    """One pass over a word: expands, removes quotes and escapes, optionally splits fields."""

    def __init__(self, text: str, env: Mapping[str, str], escape: str, *, quotes: bool = True):
        self.text, self.env, self.escape, self.quotes = text, env, escape, quotes
        self.pos = 0

    def _peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def words(self, split: bool, stop: str = "") -> list[str]:
        acc = _Words()
        while self.pos < len(self.text) and not (stop and self.text[self.pos] == stop):
            ch = self.text[self.pos]
            self.pos += 1
            if split and ch == "$":
                acc.fields(self._variable())
            elif split and ch.isspace():
                acc.end()
            else:
                acc.add(self._piece(ch))
        return acc.finish(split)

    def _piece(self, ch: str) -> str:
        if ch == self.escape:
            nxt = self._peek()
            if not self.quotes and nxt not in ("$", self.escape):
                return ch
            self.pos += 1
            return nxt
        if ch == "'" and self.quotes:
            return self._single_quoted()
        if ch == '"' and self.quotes:
            return self._double_quoted()
        if ch == "$":
            return self._variable()
        return ch

    def _single_quoted(self) -> str:
        end = self.text.find("'", self.pos)
        if end < 0:
            raise SubstitutionError("unexpected end of statement while looking for matching single-quote")
        value, self.pos = self.text[self.pos:end], end + 1
        return value

    def _double_quoted(self) -> str:
        out: list[str] = []
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            self.pos += 1
            if ch == '"':
                return "".join(out)
            if ch == self.escape:
                nxt = self._peek()
                if nxt in ('"', "$", self.escape):
                    out.append(nxt)
                    self.pos += 1
                    continue
                out.append(ch)
            elif ch == "$":
                out.append(self._variable())
            else:
                out.append(ch)
        raise SubstitutionError("unexpected end of statement while looking for matching double-quote")

    def _name(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and (self.text[self.pos].isalnum() or self.text[self.pos] == "_"):
            self.pos += 1
        return self.text[start:self.pos]

    def _variable(self) -> str:
        if self._peek() != "{":
            name = self._name()
            return self.env.get(name, "") if name else "$"
        self.pos += 1
        name = self._name()
        if not name:
            raise SubstitutionError("bad substitution: ${...} needs a variable name")
        if self._peek() == "}":
            self.pos += 1
            return self.env.get(name, "")
        colon = self._peek() == ":"
        self.pos += colon
        op = self._peek()
        if not op:
            raise SubstitutionError(f"missing '}}' in substitution ${{{name}...")
        if op not in ("-", "+", "?"):
            raise SubstitutionError(f"unsupported modifier ({op}) in substitution ${{{name}...}}")
        self.pos += 1
        word = "".join(_Lexer.words(self, split=False, stop="}"))
        if self._peek() != "}":
            raise SubstitutionError(f"missing '}}' in substitution ${{{name}...")
        self.pos += 1
        value = self.env.get(name)
        is_set = value is not None and (not colon or value != "")
        if op == "-":
            return value if is_set and value is not None else word
        if op == "+":
            return word if is_set else ""
        if not is_set:
            reason = word or "is not allowed to be " + ("unset or empty" if colon else "unset")
            raise SubstitutionError(f"{name}: {reason}")
        return value or ""


def process_word(text: str, env: Mapping[str, str], escape: str = "\\") -> str:
    """One word, expanded, quotes and escapes removed (spaces kept)."""
    return "".join(_Lexer(text, env, escape).words(split=False))


def process_words(text: str, env: Mapping[str, str], escape: str = "\\") -> list[str]:
    """Words split on unquoted whitespace, including whitespace that an unquoted expansion brings."""
    return _Lexer(text, env, escape).words(split=True)


def expand_text(text: str, env: Mapping[str, str], escape: str = "\\") -> str:
    """A heredoc body: variables expanded, quotes kept, only `<escape>$` and `<escape><escape>` unescaped."""
    return "".join(_Lexer(text, env, escape, quotes=False).words(split=False))


def meta_scope(meta_args: tuple[i.Arg, ...], build_args: Mapping[str, str], predefined: Mapping[str, str],
               *, file: str = "Dockerfile", escape: str = "\\") -> dict[str, str]:
    """The values FROM lines see: the caller's predefined ARGs (TARGETPLATFORM ...) and the global ARGs."""
    values = {k: v for k, v in predefined.items()}
    for arg in meta_args:
        for decl in arg.args:
            value = build_args.get(decl.name)
            if value is None and decl.default is not None:
                value = _word(file, arg.line, decl.default, values, escape)
            if value is not None:
                values[decl.name] = value
    return values


def _word(file: str, line: int, text: str, env: Mapping[str, str], escape: str) -> str:
    try:
        return process_word(text, env, escape)
    except SubstitutionError as err:
        raise DockerfileError(file, line, err.message) from None


def expand_from(base: i.From, meta: Mapping[str, str], *, file: str = "Dockerfile", escape: str = "\\") -> i.From:
    """A FROM line with the global ARGs substituted (its image, platform)."""
    platform = _word(file, base.line, base.platform, meta, escape) if base.platform else base.platform
    return dataclasses.replace(base, image=_word(file, base.line, base.image, meta, escape), platform=platform)
