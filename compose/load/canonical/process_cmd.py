"""Commands as `docker compose config` prints them: `command`, `entrypoint`, healthchecks, hooks.

A command string is split into words the way Compose splits it (go-shellwords without
expansion): quotes group, a backslash escapes the next character outside single quotes,
`$` and backticks stay literal (`$(...)` as one piece), an unquoted `;`, `&`, `|`, `<` or `>` ends the command
(the rest is ignored), and an unquoted parenthesis is an error.
"""

from __future__ import annotations

from typing import Any

from compose.errors import FileError, KeyPath
from compose.load.canonical import DELETE, Context
from compose.load.canonical.process_env import to_mapping
from compose.load.canonical.units import UnitError, canonical_duration

_BLANKS = " \t\r\n"
_STOPS = ";&|<>"


class _SplitError(ValueError):
    """A command line Compose cannot split."""


def split_command(line: str) -> list[str]:
    """Words of `line`, e.g. `echo "a b" 'c'` -> `["echo", "a b", "c"]`."""
    return _Splitter(line).words()


class _Splitter:
    """One pass over a command line, a character at a time."""

    def __init__(self, line: str):
        self.line, self.index = line, 0
        self.out: list[str] = []
        self.word, self.started, self.quote, self.escaped = "", False, "", False

    def words(self) -> list[str]:
        while self.index < len(self.line) and self._step(self.line[self.index]):
            pass
        if self.quote:
            raise _SplitError(self.line)
        if self.escaped:
            self._add("\\")
        if self.started:
            self.out.append(self.word)
        return self.out

    def _add(self, text: str) -> None:
        self.word, self.started = self.word + text, True

    def _step(self, char: str) -> bool:
        """Take one character; False at an unquoted `;`, `&`, `|`, `<` or `>`."""
        self.index += 1
        if self.escaped:
            self._add(char)
            self.escaped = False
        elif char == "\\" and self.quote != "'":
            self.escaped = True
        elif self.quote:
            self.quote = "" if char == self.quote else self.quote
            self.word += "" if not self.quote and char in "'\"" else char
        else:
            return self._unquoted(char)
        return True

    def _unquoted(self, char: str) -> bool:
        if char in "'\"":
            self.quote, self.started = char, True
        elif char in _BLANKS:
            if self.started:
                self.out.append(self.word)
            self.word, self.started = "", False
        elif char in _STOPS:
            return False
        elif char == "$" and self.line[self.index:self.index + 1] == "(":
            end = self.line.find(")", self.index)
            if end < 0 or "(" in self.line[self.index + 1:end]:
                raise _SplitError(self.line)
            self._add(self.line[self.index - 1:end + 1])
            self.index = end + 1
        elif char in "()":
            raise _SplitError(self.line)
        else:
            self._add(char)
        return True


def command(value: Any, ctx: Context, path: KeyPath) -> Any:
    """Rule for `command`/`entrypoint`: a string -> its words; a list kept; null dropped."""
    if value is None:
        return DELETE
    if isinstance(value, str):
        try:
            return split_command(value)
        except _SplitError:
            raise FileError(path, f"cannot split {value!r} into words (check its quotes; "
                                  "use the list form for shell syntax)") from None
    return [str(item) for item in value]


def duration(value: Any, ctx: Context, path: KeyPath) -> Any:
    """Rule for a duration that prints even when zero: Go's form (`1m30s`)."""
    if value is None:
        return DELETE
    try:
        return canonical_duration(value)
    except UnitError:
        raise FileError(path, f'"{value}" is not a valid duration (use e.g. 30s, 1m30s)') from None


def duration_or_zero(value: Any, ctx: Context, path: KeyPath) -> Any:
    """Rule for a duration Compose leaves out when zero."""
    out = duration(value, ctx, path)
    return DELETE if out == "0s" else out


def healthcheck(value: Any, ctx: Context, path: KeyPath) -> Any:
    """Rule for a healthcheck: `test` string -> `["CMD-SHELL", s]`, `[]` dropped, durations in Go's form."""
    if not isinstance(value, dict):
        return value
    out = dict(value)
    test = out.get("test")
    if isinstance(test, str):
        out["test"] = ["CMD-SHELL", test]
    elif not test:
        out.pop("test", None)
    for key in ("interval", "timeout", "start_period", "start_interval"):
        if key in out:
            if out[key] is None:
                del out[key]
            else:
                out[key] = duration(out[key], ctx, path + (key,))
    if out.get("disable") is False:
        del out["disable"]
    if out.get("retries") is None:
        out.pop("retries", None)
    return out


def hook(value: Any, ctx: Context, path: KeyPath) -> Any:
    """Rule for one `post_start`/`pre_stop` hook or a watch `exec`: command split, environment a mapping."""
    if not isinstance(value, dict):
        return value
    out = dict(value)
    if "command" in out:
        cmd = command(out["command"], ctx, path + ("command",))
        if cmd is DELETE:
            del out["command"]
        else:
            out["command"] = cmd
    if "environment" in out:
        env = to_mapping(out["environment"], path + ("environment",))
        if env:
            out["environment"] = env
        else:
            del out["environment"]
    for key in ("privileged",):
        if out.get(key) is False:
            del out[key]
    for key in ("user", "working_dir"):
        if out.get(key) in ("", None):
            out.pop(key, None)
    return out


RULES: list[tuple[str, Any]] = [
    ("services.*.command", command),
    ("services.*.entrypoint", command),
    ("services.*.healthcheck", healthcheck),
    ("services.*.post_start.*", hook),
    ("services.*.pre_stop.*", hook),
    ("services.*.develop.watch.*.exec", hook),
]
