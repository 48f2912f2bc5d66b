"""How the CLI writes: progress lines in the style `--progress` asks for, colour when `--ansi` allows it.

    output.configure(ansi="never", progress="json")     # once, by the root command (flags, else COMPOSE_ANSI,
                                                        # COMPOSE_PROGRESS)
    output.progress(" ✔ Container demo-web-1  Started")  # on stderr, as the mode wants it
    output.colour(sys.stdout)                           # True: paint the log prefixes

Progress lines are made by the commands in Docker Compose's terminal shape (` ✔ <subject>  <word>`, padded);
`plain` prints them as Compose's plain mode does (` <subject>  <word>`), `json` as its JSON lines
(`{"id":"Container demo-web-1","status":"Started"}`), `quiet` not at all; `auto` and `tty` as they are.
"""

from __future__ import annotations

import json
import re
import sys
from typing import TextIO

ANSI_MODES = ("never", "always", "auto")
PROGRESS_MODES = ("auto", "tty", "plain", "json", "quiet")
_SHAPE = re.compile(r"^ ([✔✘]) (.*?) {2,}(\S.*)$")

_settings: dict[str, object] = {"ansi": "auto", "progress": "auto", "stdout": False}


def configure(*, ansi: str = "auto", progress: str = "auto", stdout: bool = False) -> None:
    """The process's output modes (the root command sets them once, from its flags); `stdout`: progress goes there,
    not to stderr (COMPOSE_STATUS_STDOUT)."""
    _settings.update(ansi=ansi, progress=progress, stdout=stdout)


def colour(stream: TextIO, no_color: bool = False) -> bool:
    """Whether to paint what goes to `stream`: `--ansi always`, or `auto` on a terminal; never with `no_color`."""
    if no_color or _settings["ansi"] == "never":
        return False
    return _settings["ansi"] == "always" or stream.isatty()


def progress(line: str) -> None:
    """One progress line on stderr, in the configured style."""
    mode = _settings["progress"]
    if mode == "quiet":
        return
    shaped = _SHAPE.match(line) if mode in ("plain", "json") else None
    if shaped is not None:
        _, subject, word = shaped.groups()
        line = json.dumps({"id": subject, "status": word}, separators=(",", ":"), ensure_ascii=False) \
            if mode == "json" else f" {subject}  {word}"
    stream = sys.stdout if _settings["stdout"] else sys.stderr
    stream.write(line + "\n")
    stream.flush()
