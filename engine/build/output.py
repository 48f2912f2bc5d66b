"""Progress lines of stages building at once, printed as if they had built one after another.

Stages that do not depend on each other build in parallel, but the output reads as
Docker's legacy builder prints it: stage by stage, in the plan's order. The stage at
the head of that order prints as it goes; the others keep their lines until every
stage before them has finished, and then print them all at once.

    out = Ordered(print, order=(0, 2, 1))
    out.line(2, "Step 5/9 : RUN make")   # kept: stage 0 is still building
    out.finish(0)                        # stage 0 done: stage 2's lines print, stage 2 is the head
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable


class Ordered:
    def __init__(self, say: Callable[[str], None], order: Iterable[int]):
        self.say = say
        self.order = list(order)
        self.head = 0
        self.kept: dict[int, list[str]] = {index: [] for index in self.order}
        self.finished: set[int] = set()
        self.lock = threading.Lock()

    def line(self, stage: int, text: str) -> None:
        with self.lock:
            if self.head < len(self.order) and self.order[self.head] == stage:
                self.say(text)
            else:
                self.kept[stage].append(text)

    def finish(self, stage: int) -> None:
        """`stage` printed its last line; the stages after it whose turn comes print what they kept."""
        with self.lock:
            self.finished.add(stage)
            while self.head < len(self.order) and self.order[self.head] in self.finished:
                self.head += 1
                if self.head < len(self.order):
                    self._release(self.order[self.head])

    def flush(self) -> None:
        """Everything still kept, in order (after a failure, so that no stage's output is lost)."""
        with self.lock:
            for stage in self.order[self.head:]:
                self._release(stage)
            self.head = len(self.order)

    def _release(self, stage: int) -> None:
        for text in self.kept[stage]:
            self.say(text)
        self.kept[stage] = []
