"""Progress of blob transfers, for a display: one event per chunk, per blob.

Callbacks run on the worker threads that move the blobs, several at once: a
display must take its own lock, and should be quick.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

EXISTS = "exists"            # the sink (pull) or the registry (push) has it already
DOWNLOADING = "downloading"
UPLOADING = "uploading"
MOUNTED = "mounted"          # the registry copied it from another repository
DONE = "done"


@dataclass(frozen=True)
class Progress:
    """A download's progress: bytes done and expected."""

    digest: str
    done: int
    total: int
    status: str


ProgressCallback = Callable[[Progress], None]


def ignore(event: Progress) -> None:
    """The default callback."""
