"""The builder's front end errors: each one an `EngineError` and one kind (`pycompose.errors`).

    EngineError
     |-- DockerfileError     (InvalidArgument) a Dockerfile that cannot be read; names file and line
     |-- TargetNotFound      (NotFound)        `--target` names no stage
     |-- IgnoreFileError     (InvalidArgument) a .dockerignore pattern that cannot be compiled
     |-- SubstitutionError   (InvalidArgument) a bad `${...}` (re-raised as DockerfileError with the line)
     |-- ContextError        (InvalidArgument) a COPY/ADD source missing or outside the context
     `-- StepFailed          (exit 1)          a RUN that exited non-zero: the step, its line, code, output
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from engine.errors import EngineError
from pycompose.errors import InvalidArgument, NotFound


class DockerfileError(EngineError, InvalidArgument):
    """`Dockerfile:7: unknown instruction: RUNN (did you mean RUN?)`."""

    def __init__(self, file: str, line: int | None, reason: str, *, hint: str | None = None):
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {reason}", hint=hint)
        self.file = file
        self.line = line
        self.reason = reason


class TargetNotFound(EngineError, NotFound):
    pass


class IgnoreFileError(EngineError, InvalidArgument):
    pass


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """` (did you mean RUN?)` when one choice is close to `word`, else ``."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


class SubstitutionError(EngineError, InvalidArgument):
    """A `$VAR` expression that cannot be expanded; `StageScope` names the file and line around it."""


class ContextError(EngineError, InvalidArgument):
    """`Dockerfile:4: COPY ../secret /: forbidden path outside the build context`."""


class StepFailed(EngineError):
    """A RUN step that exited non-zero; Docker's words, with the step, the line and the end of its output."""

    def __init__(self, message: str, *, code: int, output: str = ""):
        super().__init__(message, hint=None)
        self.code = code
        self.output = output
