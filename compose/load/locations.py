"""Where the values of a loaded project came from, so any phase's error can name file:line:column.

Each parsed file contributes its positions; `extends` and `include` graft a file's
positions under another key path. A lookup takes the longest known prefix of the
key path, preferring later (overriding) sources on a tie.
"""

from __future__ import annotations

from collections.abc import Mapping

from compose.errors import FileError, KeyPath, Position


class Locations:
    def __init__(self) -> None:
        self._sources: list[tuple[KeyPath, Mapping[KeyPath, Position], KeyPath, str]] = []

    def add(self, positions: Mapping[KeyPath, Position], file: str, *, at: KeyPath = (), source: KeyPath = ()) -> None:
        """Record `positions` of `file`; its key path `source` stands at `at` in the project."""
        self._sources.append((tuple(at), positions, tuple(source), file))

    def find(self, path: KeyPath) -> tuple[Position | None, str | None]:
        best: tuple[int, Position | None, str | None] = (-1, None, None)
        for at, positions, source, file in self._sources:
            if tuple(path[: len(at)]) != at:
                continue
            rest = tuple(path[len(at):])
            for cut in range(len(rest), -1, -1):
                found = positions.get(source + rest[:cut])
                if found is not None:
                    depth = len(at) + cut
                    if depth >= best[0]:
                        best = (depth, found, file)
                    break
            else:
                if len(at) >= best[0] and best[1] is None:
                    best = (len(at), None, file)
        return best[1], best[2]

    def locate(self, error: FileError) -> FileError:
        """`error` with the file, line and column of its key path filled in."""
        position, file = self.find(error.path)
        return error.located(position, file)
