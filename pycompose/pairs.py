"""`KEY=VALUE` items of a command line (`-e`, `--label`, `--build-arg`) as a mapping, as Docker reads them.

    key_values(["A=1", "HOME"], os.environ)   # {"A": "1", "HOME": "/root"}: a KEY alone is looked up
    key_values(["tier"])                       # {"tier": ""}: without an environment, a KEY alone is empty

A KEY alone whose variable is unset is left out. An item with no KEY raises ValueError(item);
the caller names it in its own error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def key_values(items: Iterable[str], environ: Mapping[str, str] | None = None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        key, eq, value = item.partition("=")
        if not key:
            raise ValueError(item)
        if eq:
            out[key] = value
        elif environ is None:
            out[key] = ""
        elif key in environ:
            out[key] = environ[key]
    return out
