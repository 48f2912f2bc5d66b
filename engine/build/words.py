"""Small lexing helpers shared by the parser and substitution: words, JSON lists, flags, durations."""

from __future__ import annotations

import json
import re

_FLAG = re.compile(r"--([A-Za-z][A-Za-z0-9-]*)(?:=((?:\"[^\"]*\"|'[^']*'|[^\s\"'])*))?(?:\s+|$)")
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def split_words(text: str, escape: str = "\\") -> list[str]:
    """Split on whitespace outside quotes; quotes and escapes stay in the words (substitution removes them)."""
    words: list[str] = []
    word: list[str] = []
    quote = ""
    in_word = False
    chars = iter(text)
    for ch in chars:
        if ch == escape and quote != "'":
            word.append(ch)
            word.append(next(chars, ""))
            in_word = True
        elif quote:
            word.append(ch)
            if ch == quote:
                quote = ""
        elif ch.isspace():
            if in_word:
                words.append("".join(word))
                word, in_word = [], False
        else:
            if ch in "\"'":
                quote = ch
            word.append(ch)
            in_word = True
    if in_word:
        words.append("".join(word))
    return words


def json_list(text: str) -> tuple[str, ...] | None:
    """`["a", "b"]` as a tuple, or None when `text` is not a JSON list of strings (then it is shell form)."""
    text = text.strip()
    if not text.startswith("["):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    return tuple(value)


def take_flags(text: str) -> tuple[list[tuple[str, str | None]], str]:
    """Leading `--name[=value]` words, in order, and the rest of the text (`--` alone ends the flags)."""
    flags: list[tuple[str, str | None]] = []
    rest = text.lstrip()
    while rest.startswith("--"):
        if rest == "--" or rest[2:3].isspace():
            return flags, rest[2:].lstrip()
        match = _FLAG.match(rest)
        if not match:
            break
        value = match.group(2)
        if value is not None and len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        flags.append((match.group(1).lower(), value))
        rest = rest[match.end():]
    return flags, rest


def parse_duration(text: str) -> float | None:
    """A Go duration (`30s`, `1m30s`, `500ms`, `0`) in seconds, or None if it is not one."""
    if text == "0":
        return 0.0
    pos, total = 0, 0.0
    while pos < len(text):
        match = _DURATION_PART.match(text, pos)
        if not match:
            return None
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    return total if text else None
