"""The one exception hierarchy of pycompose.

    PycomposeError(message, exit_code, hint)
     |-- kinds (mixed into every concrete error; each maps to an exit code)
     |    |-- InvalidArgument   the user's input is wrong (a file, a flag, a name)
     |    |-- NotFound          a named object does not exist
     |    |-- Conflict          the object exists, or is in the wrong state
     |    `-- Unavailable       the system cannot do it now (kernel, network, lock)
     `-- one base per package
          |-- compose.errors.ComposeError
          |-- engine.errors.EngineError
          `-- netplan.errors.NetplanError

Library code raises; only the CLI catches (once) and prints `message` and `hint`.
"""

from __future__ import annotations


class PycomposeError(Exception):
    """An error a user should read: one clear message, an exit code, maybe a hint."""

    exit_code: int = 1

    def __init__(self, message: str, *, hint: str | None = None, exit_code: int | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


class InvalidArgument(PycomposeError):
    exit_code = 15


class NotFound(PycomposeError):
    exit_code = 14


class Conflict(PycomposeError):
    exit_code = 16


class Unavailable(PycomposeError):
    exit_code = 17
