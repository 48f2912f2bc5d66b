"""Tables as Docker's CLI prints them (Go's tabwriter): each column but the last padded to its widest cell.

    tabwriter([["NAME", "DRIVER"], ["demo_default", "bridge"]])   # padding 3, as `docker network ls`
"""

from __future__ import annotations

from collections.abc import Sequence


def tabwriter(rows: Sequence[Sequence[str]], *, padding: int = 3, min_width: int = 0, trim: bool = False) -> str:
    """`rows` (the header first) as lines; `min_width` is tabwriter's minwidth, `trim` drops trailing blanks."""
    widths = [max(min_width, max(len(row[i]) for row in rows) + padding) for i in range(len(rows[0]) - 1)]
    lines = ("".join(c.ljust(w) for c, w in zip(row, widths, strict=False)) + row[-1] for row in rows)
    return "".join((line.rstrip() if trim else line) + "\n" for line in lines)
