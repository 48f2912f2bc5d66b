"""`python -m engine.runtime`: the runc command line."""

from engine.runtime.cli import entry

entry()
