"""The container lifecycle as a state table: which action may happen in which state, and where it leads.

    created --start--> running --exit--> exited --start--> running ...
                          |  \\--schedule_restart--> restarting --restart--> running
                          |--pause--> paused --unpause--> running
    created | exited | dead --remove--> removing

`stop` and `kill` do not change the state themselves: the process's `exit` does.
A `stop` of a container that is not running is allowed and does nothing, as in Docker.
`lost` is the supervisor's verdict on a record whose process is gone without a word
(the supervisor died, or the host rebooted).
"""

from __future__ import annotations

from engine.errors import EngineError
from pycompose.errors import Conflict

CREATED, RUNNING, PAUSED, RESTARTING, EXITED, REMOVING, DEAD = (
    "created", "running", "paused", "restarting", "exited", "removing", "dead")

STATES = (CREATED, RUNNING, PAUSED, RESTARTING, EXITED, REMOVING, DEAD)

# The states in which a record claims a live process (or one about to be).
ACTIVE = frozenset({RUNNING, PAUSED, RESTARTING})

# action -> (states it is allowed from, state it leads to; None: unchanged)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "start": (frozenset({CREATED, EXITED}), RUNNING),
    "stop": (frozenset({CREATED, RUNNING, PAUSED, RESTARTING, EXITED}), None),
    "kill": (frozenset({RUNNING, PAUSED}), None),
    "exit": (frozenset({RUNNING, PAUSED}), EXITED),
    "schedule_restart": (frozenset({RUNNING, PAUSED}), RESTARTING),
    "restart": (frozenset({RESTARTING}), RUNNING),
    "cancel_restart": (frozenset({RESTARTING}), EXITED),
    "lost": (ACTIVE, EXITED),
    "pause": (frozenset({RUNNING}), PAUSED),
    "unpause": (frozenset({PAUSED}), RUNNING),
    "remove": (frozenset({CREATED, EXITED, DEAD}), REMOVING),
    "fail": (frozenset({CREATED, EXITED, RESTARTING, RUNNING}), EXITED),
}


class IllegalTransition(EngineError, Conflict):
    """The container is in a state the action cannot start from."""


def next_state(action: str, name: str, state: str) -> str:
    """The state `action` leads to from `state`, or IllegalTransition naming the container."""
    allowed, target = TRANSITIONS[action]
    if state not in allowed:
        raise IllegalTransition(f"cannot {action.replace('_', ' ')} container `{name}`: it is {state}")
    return state if target is None else target
