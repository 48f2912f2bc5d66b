"""Restart policies and Docker's back-off, as pure functions.

    no               never restart
    always           restart whatever the exit, unless stopped by the user
    unless-stopped   the same while the engine runs (they differ only when the engine starts again)
    on-failure[:N]   restart after a non-zero exit, at most N times (0 or absent: no limit)

Before each restart the supervisor waits: 100 ms, then double the last wait, at most
one minute; a run that lasted 10 s or more starts the series again at 100 ms.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.errors import EngineError
from pycompose.errors import InvalidArgument

FIRST_DELAY = 0.1
MAX_DELAY = 60.0
RESET_AFTER = 10.0


class BadRestartPolicy(EngineError, InvalidArgument):
    pass


@dataclass(frozen=True)
class Policy:
    """A restart policy: no, always, on-failure[:N], unless-stopped."""

    name: str
    max_retries: int = 0

    @classmethod
    def parse(cls, text: str) -> Policy:
        name, _, count = (text or "no").partition(":")
        if name not in ("no", "always", "unless-stopped", "on-failure"):
            raise BadRestartPolicy(f"invalid restart policy `{text}`",
                                   hint="use no, always, unless-stopped or on-failure[:max-retries]")
        if count and (name != "on-failure" or not count.isdigit()):
            raise BadRestartPolicy(f"invalid restart policy `{text}`: only on-failure takes a count")
        return cls(name, int(count or 0))

    def should_restart(self, exit_code: int, restart_count: int, manually_stopped: bool) -> bool:
        if manually_stopped or self.name == "no":
            return False
        if self.name == "on-failure":
            return exit_code != 0 and (self.max_retries == 0 or restart_count < self.max_retries)
        return True


def next_delay(previous: float, ran_for: float) -> float:
    """The wait before the next restart, given the last wait (0 for none yet) and how long the run lasted."""
    if ran_for >= RESET_AFTER or previous <= 0:
        return FIRST_DELAY
    return min(previous * 2, MAX_DELAY)
