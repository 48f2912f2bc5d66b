"""The dotenv format of `.env` and `env_file:` files, read as Docker Compose v2.40.3 reads them.

    # a comment                  blank lines and comment lines are skipped
    export A=1                   `export ` is dropped
    B = spaced value  # note     unquoted: trimmed, cut at ` #`, interpolated
    C="line\\none ${A}"          double quotes: escapes (\\n \\t \\" \\\\ \\$ \\0ooo ...), may span
                                 lines, interpolated
    D='no $interpolation'        single quotes: literal, may span lines
    E:1                          YAML style works too
    F                            no `=`: the value of F from `lookup`, or no F at all

Interpolation inside values sees `lookup` first, then the variables defined earlier in
the same file (compose's order). After a closing quote the line goes on as a new
statement, the way compose reads it (`A="x" B=2` sets both).

The `raw` format (`env_file: {path: ..., format: raw}`) is the Docker CLI's `--env-file`
format: `KEY=VALUE` lines taken literally, `KEY` alone looked up, nothing else.

Mistakes raise ProjectError("<file>:<line>: <problem>").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

from compose.errors import ProjectError
from compose.load.interpolate import Lookup, TemplateError, substitute, warn_once

__all__ = ["parse_dotenv", "read_dotenv"]

_BLANK = "\t\v\f\r \x85\xa0"  # blanks within a line (compose's set: not the newline)
_EXPORT = re.compile(r"export[\t\n\f\r ]+")
_ESCAPE = re.compile(r'\\(?:[abcfnrtv$"\\]|0[0-9]{0,3})')
_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", '"': '"', "\\": "\\"}


def read_dotenv(
    path: Path, lookup: Lookup, *, raw: bool = False, warn: Callable[[str], None] | None = None
) -> dict[str, str | None]:
    """The variables of the env file at `path`; see parse_dotenv."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ProjectError(f"cannot read env file {path}: {err.strerror or err}") from None
    text = data.decode("utf-8", errors="surrogateescape" if raw else "replace")
    return parse_dotenv(text, str(path), lookup, raw=raw, warn=warn)


def parse_dotenv(
    text: str, name: str, lookup: Lookup, *, raw: bool = False, warn: Callable[[str], None] | None = None
) -> dict[str, str | None]:
    """The variables defined by `text` (the file `name`), in the order they first appear.

    A bare `KEY` takes its value from `lookup`, and is left out when `lookup` has none
    (as compose leaves it out). `warn` hears about unset variables used in values.
    """
    text = text.removeprefix("\ufeff")
    if raw:
        return _parse_raw(text, name, lookup)
    return _Parser(text, name, lookup, warn_once(warn or (lambda message: None))).parse()


def _parse_raw(text: str, name: str, lookup: Lookup) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if any("\udc80" <= char <= "\udcff" for char in line):
            raise ProjectError(f"{name}:{number}: the line is not valid UTF-8")
        line = line.lstrip()
        if not line or line.startswith("#"):
            continue
        key, equals, value = line.partition("=")
        if not key:
            raise ProjectError(f"{name}:{number}: a variable name is missing before '='")
        if " " in key or "\t" in key:
            raise ProjectError(f"{name}:{number}: variable name {key!r} contains whitespace")
        if equals:
            out[key] = value
        elif (found := lookup(key)) is not None:
            out[key] = found
    return out


def _name_char(char: str) -> bool:
    return char in "_.-[]" or unicodedata.category(char)[0] in "LN"


def _unescape(match: re.Match[str]) -> str:
    """One escape sequence of a double-quoted value, decoded as compose decodes it."""
    sequence = match.group()
    if sequence == "\\$":
        return "$$"  # stays a literal `$` through interpolation
    if sequence.startswith("\\0"):
        digits = sequence[2:]
        if len(digits) == 3 and all(d in "01234567" for d in digits) and int(digits, 8) < 256:
            return chr(int(digits, 8))
        return "\\" + digits
    return _SIMPLE_ESCAPES.get(sequence[1], sequence)


def _quoted(text: str, start: int) -> tuple[str, int]:
    """The text between the quote at `start` and its closing quote, and where that is (-1: none).

    A backslash keeps the next character from closing the value; it is dropped before
    the quote character itself and kept before any other (decoded later, or not).
    """
    quote, chars = text[start], []
    index = start + 1
    while index < len(text):
        char = text[index]
        if char == quote:
            return "".join(chars), index
        if char == "\\" and index + 1 < len(text):
            index += 1
            chars.append(text[index] if text[index] == quote else "\\" + text[index])
        else:
            chars.append(char)
        index += 1
    return "", -1


class _Parser:
    """Reads statements one after another; `pos` is where the next one may start."""

    def __init__(self, text: str, name: str, lookup: Lookup, missing: Callable[[str], None]):
        self.text, self.name, self.lookup, self.missing = text, name, lookup, missing
        self.pos = 0
        self.out: dict[str, str | None] = {}

    def parse(self) -> dict[str, str | None]:
        while self._statement_start():
            key, inherited = self._key()
            if not inherited:
                self.out[key] = self._value(key)
            elif key and (found := self.lookup(key)) is not None:  # no key: `export` on the last line
                self.out[key] = found
        return self.out

    def fail(self, at: int, problem: str) -> ProjectError:
        return ProjectError(f"{self.name}:{self.text.count(chr(10), 0, at) + 1}: {problem}")

    def _statement_start(self) -> bool:
        """Skip blanks, empty lines and comments; False at the end of the text."""
        text = self.text
        while self.pos < len(text):
            if text[self.pos].isspace():
                self.pos += 1
            elif text[self.pos] == "#":
                newline = text.find("\n", self.pos)
                self.pos = len(text) if newline < 0 else newline
            else:
                return True
        return False

    def _key(self) -> tuple[str, bool]:
        """The variable name, and whether it stands alone (no `=` or `:`)."""
        text, start = self.text, self.pos
        if export := _EXPORT.match(text, start):
            start = export.end()
        while start < len(text) and text[start] in _BLANK:
            start += 1
        index = start
        while index < len(text) and text[index] not in "=:\n":
            char = text[index]
            if char not in _BLANK and not _name_char(char):
                raise self.fail(index, f'unexpected character "{char}" in variable name')
            index += 1
        key = text[start:index].rstrip()
        if " " in key:
            raise self.fail(start, f'variable name "{key}" contains a space')
        inherited = index >= len(text) or text[index] == "\n"
        if not key and not inherited:
            raise self.fail(index, f"a variable name is missing before '{text[index]}'")
        self.pos = index + 1
        while not inherited and self.pos < len(text) and text[self.pos] in _BLANK:
            self.pos += 1
        return key, inherited

    def _value(self, key: str) -> str:
        text, start = self.text, self.pos
        quote = text[start : start + 1]
        if quote not in ("'", '"'):
            newline = text.find("\n", start)
            end = len(text) if newline < 0 else newline
            self.pos = end
            value = text[start:end].split(" #", 1)[0].rstrip()
            return self._interpolate(value, start)
        value, close = _quoted(text, start)
        if close < 0:
            raise self.fail(start, f"the value of {key} opens a quote ({quote}) that is never closed")
        self.pos = close + 1
        if quote == "'":
            return value
        return self._interpolate(_ESCAPE.sub(_unescape, value), start)

    def _interpolate(self, value: str, at: int) -> str:
        def lookup(variable: str) -> str | None:
            found = self.lookup(variable)
            return found if found is not None else self.out.get(variable)

        try:
            return substitute(value, lookup, self.missing)
        except TemplateError as err:
            raise self.fail(at, err.problem) from None
