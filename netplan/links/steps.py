"""Setting up a link as an ordered list of small steps (libnetwork's habit), with one unwind.

A `Step` says what it does, to what, and how. `run_steps` runs them in order; each step runs
inside the error edge, so a kernel refusal reads "<does> `<object>`: <reason>", e.g.
"set the MTU of bridge `pc1a2b3c`: the kernel refused the value (invalid argument)". If any
step fails, `undo` removes what the operation created (it is told nothing else) and the
first error is raised: nothing half-made is left. Steps are idempotent where the kernel lets
them be (an address that is there already is fine), so running an operation twice is safe.

    >>> BRIDGE_STEPS = (Step("create bridge", lambda w: w.name, create), Step("bring up bridge", ...))
    >>> run_steps(BRIDGE_STEPS, work, undo=remove_if_created)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from typing import Generic, TypeVar

from netplan.links.errors import failing

W = TypeVar("W")


@dataclass(frozen=True)
class Step(Generic[W]):
    """One step of an operation: `run(work)` does it; `does` and `target(work)` name it in errors, `module`
    the kernel module it needs (named when the kernel does not support it)."""

    does: str
    target: Callable[[W], str]
    run: Callable[[W], None]
    module: str = ""


def run_steps(steps: Iterable[Step[W]], work: W, undo: Callable[[W], None]) -> None:
    """Run `steps` in order on `work`; on the first failure call `undo(work)` and raise that failure."""
    try:
        for step in steps:
            with failing(step.does, step.target(work), step.module):
                step.run(work)
    except BaseException:
        with suppress(Exception):  # the first failure is the one to report; undo is best effort
            undo(work)
        raise
