"""The shape of a plan: stages in order, steps in parallel within a stage, actions in order within a step.

    Plan
     |-- warnings: what to tell the user before anything runs
     `-- stages: (Stage, ...)           run one after another
          `-- steps: (Step, ...)        may run in parallel
               `-- actions: (Action, ...)  run in order

The stages of `up`: `orphans`, `detach` (containers on a network whose configuration
changed), `resources` (networks, volumes), `images`, then one `services` stage per
generation of the service graph, dependencies first. `down` has `orphans`, one
`services` stage per generation, dependents first, then `resources` and `images`.
A stage's subject is a service in the `services` stages, else a network, volume or image.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from compose.plan.actions import Action

DRY_RUN = "DRY-RUN MODE - "


@dataclass(frozen=True, slots=True)
class Step:
    """What one subject (a service, a network...) needs done, in order."""

    subject: str
    actions: tuple[Action, ...]


@dataclass(frozen=True, slots=True)
class Stage:
    """Steps that may run in parallel."""

    name: str
    steps: tuple[Step, ...]

    @property
    def subjects(self) -> tuple[str, ...]:
        return tuple(s.subject for s in self.steps)


@dataclass(frozen=True, slots=True)
class Plan:
    """Stages in order, and warnings to print first."""

    stages: tuple[Stage, ...] = ()
    warnings: tuple[str, ...] = ()

    @classmethod
    def of(cls, stages: Iterable[tuple[str, Iterable[tuple[str, Iterable[Action]]]]],
           warnings: Iterable[str] = ()) -> Plan:
        """A plan from (stage name, [(subject, actions)]), leaving out empty steps and stages."""
        kept = []
        for name, steps in stages:
            full = tuple(Step(subject, tuple(actions)) for subject, actions in steps)
            full = tuple(s for s in full if s.actions)
            if full:
                kept.append(Stage(name, full))
        return cls(tuple(kept), tuple(warnings))

    @property
    def actions(self) -> tuple[Action, ...]:
        """Every action, in an order that respects the plan (stage by stage, step by step)."""
        return tuple(a for stage in self.stages for step in stage.steps for a in step.actions)

    @property
    def generations(self) -> tuple[Stage, ...]:
        """The `services` stages: one per generation of the graph that has something to do."""
        return tuple(s for s in self.stages if s.name == "services")

    @property
    def empty(self) -> bool:
        return not self.stages

    def of_type(self, kind: type[Action]) -> tuple[Action, ...]:
        return tuple(a for a in self.actions if isinstance(a, kind))

    def describe(self, *, dry_run: bool = True) -> Iterator[str]:
        """One line per warning and per action, as `--dry-run` prints them."""
        prefix = DRY_RUN if dry_run else ""
        yield from self.warnings
        for action in self.actions:
            yield prefix + action.describe()
