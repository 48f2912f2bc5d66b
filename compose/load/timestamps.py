"""Timestamps as Docker Compose's YAML library reads and prints them.

An unquoted `2024-01-01` or `2024-01-01T10:20:30.5+02:00` is a time, not a string:
Compose refuses one where an attribute wants a string, and prints one under `x-`
keys in RFC 3339 (`2024-01-01T00:00:00Z`). A date that does not exist stays a string.
"""

from __future__ import annotations

import datetime as dt
import re

_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d+)?(Z|[-+]\d{2}:\d{2})"
    r"| (\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d+)?)?"
)


def parse_timestamp(text: str) -> dt.datetime | None:
    """The time a plain scalar stands for, or None when it is not one."""
    if not text[:1].isdigit():
        return None
    match = _TIMESTAMP.fullmatch(text)
    if match is None:
        return None
    year, month, day = (int(g) for g in match.group(1, 2, 3))
    if match.group(4):
        hour, minute, second, fraction, zone = match.group(4, 5, 6, 7, 8)
    else:
        hour, minute, second, fraction = match.group(9, 10, 11, 12)
        zone = "Z"
    tz = dt.UTC
    if zone and zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        tz = dt.timezone(sign * dt.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])))
    micro = int((fraction or ".0")[1:7].ljust(6, "0"))
    try:
        return dt.datetime(year, month, day, int(hour or 0), int(minute or 0), int(second or 0), micro, tzinfo=tz)
    except ValueError:
        return None


def go_time(value: dt.datetime) -> str:
    """RFC 3339 with the fraction trimmed, as Go prints a time (`Z` for UTC)."""
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    offset = value.utcoffset() or dt.timedelta()
    if not offset:
        return text + "Z"
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{text}{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
