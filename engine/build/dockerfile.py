"""The Dockerfile parser: text -> `Dockerfile` (meta ARGs and stages of typed instructions).

Phases, in order, each one small:
  1. directives  `# escape=` / `# syntax=` / `# check=`, only in the first lines, before
                 any comment, blank line or instruction (they change how the rest lexes)
  2. lines       logical lines: continuations with the escape character, comment and
                 blank lines inside a continuation dropped, heredoc bodies read after
                 the line that opens them (RUN, COPY, ADD)
  3. build       keyword -> typed instruction (`arguments.BUILDERS`)
  4. stages      only ARG before the first FROM; each FROM opens a stage; names unique
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from engine.build import instructions as i
from engine.build.arguments import Line, build
from engine.build.errors import DockerfileError

_DIRECTIVE = re.compile(r"^#[ \t]*([A-Za-z][A-Za-z0-9_-]*)[ \t]*=[ \t]*(.*?)[ \t]*$")
_KNOWN_DIRECTIVES = ("escape", "syntax", "check")
_HEREDOC = re.compile(r"(?<!<)<<(?!<)(-?)[ \t]*(?:\"([^\"\s]+)\"|'([^'\s]+)'|([A-Za-z0-9_][A-Za-z0-9_.-]*))")
_HEREDOC_KEYWORDS = ("RUN", "COPY", "ADD")


def parse(text: str, path: str = "Dockerfile") -> i.Dockerfile:
    """Parse a whole Dockerfile; every error is a `DockerfileError` naming `path` and the line."""
    lines = text.removeprefix("\ufeff").splitlines()
    directives, first = _directives(lines, path)
    escape = directives.get("escape", "\\")
    warnings: list[str] = []
    instructions = [build(ln) for ln in _logical_lines(lines, first, path, escape, warnings)]
    meta, stages = _stages(instructions, path)
    return i.Dockerfile(path=path, escape=escape, syntax=directives.get("syntax"), meta_args=meta,
                        stages=stages, warnings=tuple(warnings))


def _directives(lines: list[str], path: str) -> tuple[dict[str, str], int]:
    found: dict[str, str] = {}
    for number, line in enumerate(lines):
        match = _DIRECTIVE.match(line.strip())
        if not match or match.group(1).lower() not in _KNOWN_DIRECTIVES:
            return found, number
        key, value = match.group(1).lower(), match.group(2)
        if key in found:
            raise DockerfileError(path, number + 1, f"only one {key} parser directive can be used")
        if key == "escape" and value not in ("\\", "`"):
            raise DockerfileError(path, number + 1, f"invalid escape token {value!r}: use \\ or `")
        found[key] = value
    return found, len(lines)


def _is_skipped(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _logical_lines(lines: list[str], pos: int, path: str, escape: str, warnings: list[str]) -> Iterator[Line]:
    continuation = re.compile(re.escape(escape) + r"[ \t]*$")
    while pos < len(lines):
        if _is_skipped(lines[pos]):
            pos += 1
            continue
        start = pos
        parts: list[str] = []
        while True:
            match = continuation.search(lines[pos])
            if not match:
                parts.append(lines[pos])
                pos += 1
                break
            parts.append(lines[pos][: match.start()])
            pos += 1
            while pos < len(lines) and _is_skipped(lines[pos]):
                if not lines[pos].strip():
                    warnings.append(f"{path}:{pos + 1}: empty continuation line (deprecated; a future "
                                    "release may refuse it)")
                pos += 1
            if pos >= len(lines):
                break
        keyword, rest = (re.split(r"\s+", "".join(parts).strip(), maxsplit=1) + [""])[:2]
        keyword = keyword.upper()
        heredocs: tuple[i.Heredoc, ...] = ()
        inner = rest.split(None, 1)[0].upper() if keyword == "ONBUILD" and rest.strip() else keyword
        if inner in _HEREDOC_KEYWORDS:
            heredocs, pos = _read_heredocs(lines, pos, rest, path, start + 1)
        yield Line(path, escape, keyword, rest, start + 1, pos, heredocs)


def _read_heredocs(lines: list[str], pos: int, text: str, path: str, line: int) -> tuple[tuple[i.Heredoc, ...], int]:
    docs = []
    for match in _HEREDOC.finditer(text):
        if _quoted_at(text, match.start()):
            continue
        strip_tabs = match.group(1) == "-"
        name = match.group(2) or match.group(3) or match.group(4)
        quoted = match.group(4) is None
        body: list[str] = []
        while True:
            if pos >= len(lines):
                raise DockerfileError(path, line, f"unterminated heredoc <<{name}: no line {name} before the end")
            current = lines[pos].lstrip("\t") if strip_tabs else lines[pos]
            pos += 1
            if current == name:
                break
            body.append(current + "\n")
        docs.append(i.Heredoc(name, "".join(body), expand=not quoted, strip_tabs=strip_tabs))
    return tuple(docs), pos


def _quoted_at(text: str, pos: int) -> bool:
    """Is `pos` inside a quoted string (`echo "<<EOF"` opens no heredoc)?"""
    quote = ""
    for ch in text[:pos]:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
    return bool(quote)


def _stages(instructions: list[i.Instruction], path: str) -> tuple[tuple[i.Arg, ...], tuple[i.Stage, ...]]:
    if not instructions:
        raise DockerfileError(path, None, "the Dockerfile is empty: it needs at least a FROM")
    meta: list[i.Arg] = []
    stages: list[i.Stage] = []
    current: i.From | None = None
    body: list[i.Instruction] = []
    names: dict[str, int] = {}
    for ins in instructions:
        if isinstance(ins, i.From):
            if current is not None:
                stages.append(i.Stage(len(stages), current, tuple(body)))
            if ins.name is not None:
                if ins.name in names:
                    raise DockerfileError(path, ins.line, f"duplicate stage name {ins.name!r}: already used on "
                                                          f"line {names[ins.name]}")
                names[ins.name] = ins.line
            current, body = ins, []
        elif current is None:
            if not isinstance(ins, i.Arg):
                raise DockerfileError(path, ins.line, f"{ins.keyword} before the first FROM: only ARG may "
                                                      "come before FROM")
            meta.append(ins)
        else:
            body.append(ins)
    if current is None:
        raise DockerfileError(path, None, "no FROM instruction: a Dockerfile needs at least one stage")
    stages.append(i.Stage(len(stages), current, tuple(body)))
    return tuple(meta), tuple(stages)
