"""The container service's errors, each an `EngineError` of one kind."""

from engine.errors import EngineError
from pycompose.errors import Conflict, InvalidArgument, Unavailable


class ContainerInvalid(EngineError, InvalidArgument):
    """The options cannot make a container (no command, a bad user, a bad name)."""


class ContainerBusy(EngineError, Conflict):
    """The container is in a state the operation refuses (removing a running one)."""


class ContainerStartFailed(EngineError, Unavailable):
    """The runtime could not start the program; exit_code is the runtime's (127: not found, 126: not runnable)."""


class ExecFailed(EngineError, Unavailable):
    """`exec` could not run the program; exit_code is Docker's (127: not found, 126: not runnable, else 1)."""
