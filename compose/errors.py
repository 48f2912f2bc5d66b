"""Errors of the compose side.

    ComposeError                      (PycomposeError)
     |-- ProjectError                 (InvalidArgument) bad flags, names, unreadable files
     |    `-- NoConfigFile            no compose file found (commands given a project name do without)
     |-- FileError                    (InvalidArgument) a mistake inside a compose file:
     |                                 names the file, line, column and key path
     |-- TemplateError                (InvalidArgument) a --format Go template that does not parse or run
     `-- ServiceNotFound              (NotFound)

A loader phase raises `FileError(path, message)` knowing only the key path; the
loader fills in file, line and column from the locations it recorded while parsing.
"""

from __future__ import annotations

from dataclasses import dataclass

from pycompose.errors import InvalidArgument, NotFound, PycomposeError

KeyPath = tuple[str | int, ...]


def format_path(path: KeyPath) -> str:
    """`("services", "web", "ports", 0)` -> `services.web.ports[0]`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


@dataclass(frozen=True)
class Position:
    """Where a key or item stands in a file; line and column count from 1."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class ComposeError(PycomposeError):
    """Base of every error raised by `compose`."""


class ProjectError(ComposeError, InvalidArgument):
    """A wrong flag, project name, environment file or unreadable compose file."""


class ServiceNotFound(ComposeError, NotFound):
    """A service named on the command line is not in the project."""


class FileError(ComposeError, InvalidArgument):
    """A mistake inside a compose file, at a key path.

    >>> str(FileError(("services", "web", "ports", 0), '"80:eighty" is not a valid port',
    ...               position=Position("compose.yaml", 14, 7)))
    'compose.yaml:14:7: services.web.ports[0]: "80:eighty" is not a valid port'
    """

    def __init__(self, path: KeyPath, problem: str, *, position: Position | None = None,
                 file: str | None = None, hint: str | None = None):
        self.path = tuple(path)
        self.problem = problem
        self.position = position
        self.file = file
        super().__init__(self._render(), hint=hint)

    def located(self, position: Position | None, file: str | None = None) -> FileError:
        """The same error, with a position (or at least a file) filled in when it had none."""
        if self.position is not None or (position is None and file is None):
            return self
        return FileError(self.path, self.problem, position=position, file=file or self.file, hint=self.hint)

    def _render(self) -> str:
        where = str(self.position) if self.position else (self.file or "")
        what = format_path(self.path)
        parts = [p for p in (where, what) if p]
        return ": ".join(parts + [self.problem])


class NoConfigFile(ProjectError):
    """No compose file was given or found; a command that takes a project name (`-p demo down`) can do
    without one (compose.reconcile.labelled)."""


class TemplateError(ComposeError, InvalidArgument):
    """A `--format` template that does not parse or fails to run, in Docker's words.

    `detail` is Go's own message (`template: :1:2: executing "" at <.Nope>: ...`); the message
    is Docker's: `template parsing error: ` before it, for parse and execution errors alike.
    """

    def __init__(self, detail: str):
        self.detail = detail
        super().__init__(f"template parsing error: {detail}")
