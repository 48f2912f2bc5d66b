"""The engine's errors: every one derives from `EngineError` and one kind of `pycompose.errors`."""

from pycompose.errors import PycomposeError


class EngineError(PycomposeError):
    """Base of every error raised by `engine`."""
