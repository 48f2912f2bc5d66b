"""Config hashes: the `com.docker.compose.config-hash` label and `config --hash`.

A container records the hash of the service definition it was made from; `up`
recreates it when the hash of the current definition differs. Like Docker Compose
(`pkg/compose/hash.go`), the hash leaves out what changes how many containers run
or how the image is obtained, but not what runs: `build`, `pull_policy`, `scale`,
`deploy.replicas`, `depends_on` and `profiles`.

The digest is sha256 over a stable JSON encoding of the canonical dict (keys sorted,
no spaces, `null` top-level attributes dropped, tuples and read-only mappings taken
as lists and dicts), so it is the same across runs, key orders and model types. It
is *not* byte-equal to Docker Compose's own values, which encode a Go struct in its
field order; a container made by Docker Compose therefore looks changed to us once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

IGNORED = ("build", "pull_policy", "scale", "depends_on", "profiles")


def _plain(value: Any) -> Any:
    """JSON-ready form of canonical data that may hold tuples and read-only mappings."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def digest(data: Any) -> str:
    """sha256 hex digest of `data`'s stable JSON encoding."""
    text = json.dumps(_plain(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()


def hashed_part(service: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a canonical service definition the config hash covers."""
    out = {k: v for k, v in service.items() if k not in IGNORED and v is not None}
    deploy = out.get("deploy")
    if isinstance(deploy, Mapping) and "replicas" in deploy:
        rest = {k: v for k, v in deploy.items() if k != "replicas"}
        if rest:
            out["deploy"] = rest
        else:
            del out["deploy"]
    return out


def service_hash(service_canonical: Mapping[str, Any]) -> str:
    """The config hash of one service's canonical definition (a dict of `docker compose config` output).

    >>> service_hash({"image": "redis", "scale": 3}) == service_hash({"image": "redis"})
    True
    """
    return digest(hashed_part(service_canonical))


def network_hash(network_canonical: Mapping[str, Any]) -> str:
    """The config hash of a top-level network definition (`com.docker.compose.config-hash` on networks)."""
    return digest({k: v for k, v in network_canonical.items() if v is not None})


def volume_hash(volume_canonical: Mapping[str, Any]) -> str:
    """The config hash of a top-level volume definition; no driver means the `local` driver, as in Compose."""
    data = {k: v for k, v in volume_canonical.items() if v is not None}
    data.setdefault("driver", "local")
    return digest(data)
