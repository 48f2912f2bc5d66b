"""Run one piece of work per item, several at once, and collect the failures by name.

    failures = each(steps, run_step, key=lambda s: s.subject)   # {} when all went well

Threads: the work waits on the kernel, the supervisor, registries and locks. Every item runs
to its end; an exception is kept under `key(item)`, not raised. One item runs inline.
`configure(n)` caps every pool of the process at n (`--parallel`, COMPOSE_PARALLEL_LIMIT).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

MAX_PARALLEL = 8
_cap: list[int] = []  # the user's limit, when one was given


T = TypeVar("T")


def configure(limit: int) -> None:
    """At most `limit` pieces of work at once, in every pool of this process."""
    _cap[:] = [limit]


def capped(limit: int) -> int:
    """`limit`, or the user's cap when that is lower."""
    return min([limit, *_cap])


def each(items: Sequence[T], work: Callable[[T], object], key: Callable[[T], str],
         limit: int = MAX_PARALLEL) -> dict[str, BaseException]:
    failures: dict[str, BaseException] = {}
    if len(items) == 1:
        try:
            work(items[0])
        except Exception as error:  # noqa: BLE001 - kept by name for the caller
            failures[key(items[0])] = error
        return failures
    if not items:
        return failures
    with ThreadPoolExecutor(max_workers=min(capped(limit), len(items))) as pool:
        futures = [(item, pool.submit(work, item)) for item in items]
        for item, future in futures:
            error = future.exception()
            if error is not None:
                failures[key(item)] = error
    return failures
