"""Go's encoding/json as Docker's tools print it: `<`, `>`, `&`, U+2028 and U+2029 escaped (HTML-safe).

    html_safe('{"Ports":"127.0.0.1:80->80/tcp"}')    # '{"Ports":"127.0.0.1:80-\\u003e80/tcp"}'
    compact({"b": 1, "a": [{"y": 2, "x": 1}]})      # '{"a":[{"y":2,"x":1}],"b":1}': a Go map's keys sorted
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_ESCAPE_RE = re.compile("[<>&\u2028\u2029]")


def html_safe(text: str) -> str:
    """JSON text with the characters Go's encoder escapes escaped (they only occur inside strings)."""
    return _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group()], text)


def compact(obj: Mapping[str, Any]) -> str:
    """A map as Go marshals one: keys sorted (nested values keep their order: Go structs), compact, HTML-safe."""
    return html_safe(json.dumps(dict(sorted(obj.items())), separators=(",", ":"), ensure_ascii=False))
