"""Sizes as Docker prints them (its `units` package): `1.23kB` (decimal) and `1.5MiB` (binary).

Shared by every command that prints a size; it imports nothing of pycompose.
"""

from __future__ import annotations


def _significant(value: float, digits: int) -> str:
    return f"{value:.{digits}g}"


def bytes_size(size: float) -> str:
    """Docker's units.BytesSize: binary units, 4 significant digits (`1.5MiB`)."""
    units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
    i = 0
    while size >= 1024 and i < len(units) - 1:
        size /= 1024.0
        i += 1
    return _significant(size, 4) + units[i]


def human_size(size: float, precision: int = 3) -> str:
    """Docker's units.HumanSizeWithPrecision: decimal units (`1.23kB`)."""
    units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"]
    i = 0
    while size >= 1000 and i < len(units) - 1:
        size /= 1000.0
        i += 1
    return _significant(size, precision) + units[i]
