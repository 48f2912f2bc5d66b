"""`.dockerignore`: which files of the build context are sent (and hashed).

Rules (Docker's): one pattern a line; `#` at the start of a line is a comment;
surrounding whitespace is trimmed; each pattern is cleaned (`./a//b/` -> `a/b`,
a leading `/` dropped: the context is the root); `*`, `?`, `[a-z]`, `[^a]`, `\\x` as
in Go's filepath.Match (never across `/`), and `**` for any number of directories,
zero included. A pattern matches a path or any of its parent directories. `!` makes
an exception; the last pattern that matches decides.

    patterns = read_patterns(Path(find_ignore_file(ctx, "Dockerfile")).read_text())
    files = walk(ctx, patterns)     # ["Dockerfile", "src", "src/main.go", ...]
"""

from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass

from engine.build.errors import IgnoreFileError


@dataclass(frozen=True)
class Pattern:
    """One `.dockerignore` line, compiled."""

    text: str
    exception: bool
    regex: re.Pattern[str]
    parts: tuple[str, ...]
    line: int = 0


def translate(pattern: str) -> str:
    """Go filepath.Match syntax plus `**` as a regular expression (to be fully matched)."""
    out, pos, n = [], 0, len(pattern)
    while pos < n:
        ch = pattern[pos]
        if pattern.startswith("**", pos):
            pos += 2
            if pattern.startswith("/", pos):
                out.append("(?:.*/)?")
                pos += 1
            else:
                out.append(".*")
            continue
        pos += 1
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "\\" and pos < n:
            out.append(re.escape(pattern[pos]))
            pos += 1
        elif ch == "[":
            end, cls = _char_class(pattern, pos)
            out.append(cls)
            pos = end
        else:
            out.append(re.escape(ch))
    return "".join(out)


def _char_class(pattern: str, pos: int) -> tuple[int, str]:
    out = ["["]
    if pos < len(pattern) and pattern[pos] in "^!":
        out.append("^/")
        pos += 1
    first = True
    while pos < len(pattern) and (pattern[pos] != "]" or first):
        ch = pattern[pos]
        if ch == "\\" and pos + 1 < len(pattern):
            pos += 1
            ch = pattern[pos]
        out.append(ch if ch == "-" else re.escape(ch))
        pos += 1
        first = False
    if pos >= len(pattern):
        raise IgnoreFileError(f"bad pattern {pattern!r}: unclosed [")
    return pos + 1, "".join(out) + "]"


def compile_pattern(text: str, line: int = 0) -> Pattern | None:
    """One line of a .dockerignore as a `Pattern`, or None for a comment or a blank line."""
    text = text.strip()
    if not text or text.startswith("#"):
        return None
    exception = text.startswith("!")
    if exception:
        text = text[1:].strip()
    cleaned = posixpath.normpath(text).lstrip("/") or "."
    try:
        regex = re.compile(translate(cleaned), re.DOTALL)
    except re.error as err:
        raise IgnoreFileError(f"bad pattern {text!r} on line {line}: {err}") from None
    parts = tuple(translate(p) for p in cleaned.split("/"))
    return Pattern(cleaned, exception, regex, parts, line)


def read_patterns(text: str, file: str = ".dockerignore") -> tuple[Pattern, ...]:
    patterns = []
    for number, line in enumerate(text.splitlines(), 1):
        try:
            pattern = compile_pattern(line, number)
        except IgnoreFileError as err:
            raise IgnoreFileError(f"{file}:{number}: {err.message}") from None
        if pattern is not None:
            patterns.append(pattern)
    return tuple(patterns)


def find_ignore_file(context_dir: str, dockerfile: str | None = "Dockerfile") -> str | None:
    """The ignore file for this Dockerfile: `<Dockerfile>.dockerignore` beside it (`Containerfile.dockerignore`
    for a Containerfile), else `.dockerignore`, else Podman's `.containerignore`, in the context root.
    Without a Dockerfile (a named context), only the context root's."""
    candidates = [os.path.join(context_dir, ".dockerignore"), os.path.join(context_dir, ".containerignore")]
    if dockerfile is not None:
        path = dockerfile if os.path.isabs(dockerfile) else os.path.join(context_dir, dockerfile)
        candidates.insert(0, path + ".dockerignore")
    for candidate in candidates:
        if os.path.isfile(candidate):
            return candidate
    return None


class Matcher:
    """Decides paths one at a time, passing per-pattern parent matches down a walk."""

    def __init__(self, patterns: tuple[Pattern, ...]):
        self.patterns = patterns
        self.exceptions = tuple(p for p in patterns if p.exception)

    def state(self, path: str, parent: tuple[bool, ...] | None = None) -> tuple[bool, ...]:
        """Per pattern: does it match `path` or a parent of it (`parent`: the same for its directory)."""
        parent = parent or (False,) * len(self.patterns)
        return tuple(seen or bool(p.regex.fullmatch(path)) for p, seen in zip(self.patterns, parent, strict=True))

    def decide(self, state: tuple[bool, ...]) -> bool:
        """Excluded? The last matching pattern decides."""
        for pattern, hit in zip(reversed(self.patterns), reversed(state), strict=True):
            if hit:
                return not pattern.exception
        return False

    def excluded(self, path: str) -> bool:
        path = posixpath.normpath(path).lstrip("/")
        state: tuple[bool, ...] | None = None
        parts = path.split("/")
        for depth in range(1, len(parts) + 1):
            state = self.state("/".join(parts[:depth]), state)
        return self.decide(state or ())

    def may_reinclude(self, directory: str) -> bool:
        """Could an exception match something under this excluded directory? (If not, skip it whole.)"""
        names = directory.split("/")
        for pattern in self.exceptions:
            if any("**" in part or ".*" in part for part in pattern.parts):
                return True
            if len(pattern.parts) > len(names) and all(
                    re.fullmatch(part, name, re.DOTALL) for part, name in zip(pattern.parts, names, strict=False)):
                return True
        return False


def walk(context_dir: str, patterns: tuple[Pattern, ...], excluded: list[str] | None = None) -> list[str]:
    """Every path the context sends (files, links, directories), relative, `/`-separated, sorted by walk order.

    An excluded directory is not entered unless an exception could re-include
    something under it; then only its re-included entries are listed. `excluded`,
    when given, receives the excluded paths met on the way."""
    matcher = Matcher(patterns)
    found: list[str] = []

    def visit(rel_dir: str, parent: tuple[bool, ...] | None) -> None:
        with os.scandir(os.path.join(context_dir, rel_dir)) as listing:
            entries = sorted(listing, key=lambda e: e.name)
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            state = matcher.state(rel, parent) if patterns else None
            is_out = matcher.decide(state) if state is not None else False
            if not is_out:
                found.append(rel)
            elif excluded is not None:
                excluded.append(rel)
            if entry.is_dir(follow_symlinks=False) and (not is_out or matcher.may_reinclude(rel)):
                visit(rel, state)

    visit("", None)
    return found
