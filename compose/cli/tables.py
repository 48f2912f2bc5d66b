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


def display_width(text: str) -> int:
    """Columns `text` takes on a terminal, as go-runewidth counts them (Docker's tabwriter): wide = 2."""
    import unicodedata

    if text.isascii():
        return len(text)
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in text)


def tabwrite(text: str, *, min_width: int = 10, padding: int = 3) -> str:
    """Docker's tabwriter over text: tab-terminated cells of consecutive lines form a column, padded to
    its widest cell plus `padding` (at least `min_width`); a line's last cell is in no column.

    What a `table` format goes through (docker/cli formatter: minwidth 10, padding 3): unlike
    `tabwriter`, lines may differ in their cells, and each run of lines that share a column
    aligns it alone, as Go's elastic tabstops do.
    """
    lines = [line.split("\t") for line in text.split("\n")]
    widths: list[int] = []
    out: list[str] = []

    def write(first: int, last: int) -> None:
        for i in range(first, last):
            for j, cell in enumerate(lines[i]):
                out.append(cell)
                if j < len(widths):
                    out.append(" " * (widths[j] - display_width(cell)))
            if i + 1 < len(lines):
                out.append("\n")

    def block(first: int, last: int) -> None:
        column = len(widths)
        this = first
        while this < last:
            if column >= len(lines[this]) - 1:
                this += 1
                continue
            write(first, this)
            first = this
            width = min_width
            while this < last and column < len(lines[this]) - 1:
                width = max(width, display_width(lines[this][column]) + padding)
                this += 1
            widths.append(width)
            block(first, this)
            widths.pop()
            first = this
        write(first, last)

    block(0, len(lines))
    return "".join(out)
