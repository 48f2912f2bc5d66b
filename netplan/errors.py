"""Netplan's errors: every one derives from `NetplanError` and one kind of `pycompose.errors`."""

from pycompose.errors import PycomposeError


class NetplanError(PycomposeError):
    """Base of every error raised by `netplan`."""
