"""The control protocol: JSON lines over a unix socket at `<run root>/dns.sock`.

Each request is one JSON object on one line with an `op`; each reply is one line,
`{"ok": true, ...}` or `{"ok": false, "error": "..."}`. The operations:

    ping                                            -> {"ok": true, "pid": 1234}
    set_network    network, endpoints               replace a network's whole record set
    remove_network network                          forget a network's records
    put_endpoint   network, endpoint                add or replace one container's records
    drop_endpoint  network, container               remove one container's records
    listen         key, address, port, networks,    answer on address:port (UDP and TCP), in the
                   netns?, upstreams?               namespace file `netns` if given, from `networks`;
                                                    again with the same key updates networks (and
                                                    upstreams, when given) in place -> {"ok": true, "port": 53}
    unlisten       key                              stop answering there
    stop                                            the server closes everything and exits

An endpoint is `{"container": "<id>", "names": ["demo-web-1", "web"], "addresses": ["172.18.0.2"]}`.
"""

from __future__ import annotations

from ipaddress import ip_address
from pathlib import Path
from typing import Any

from netplan.dns.records import Endpoint

SOCKET_NAME = "dns.sock"
MAX_LINE = 1 << 20  # a request line longer than this is refused (a network of ~10,000 endpoints fits)


def socket_path(run_root: str | Path) -> Path:
    return Path(run_root) / SOCKET_NAME


def endpoint_json(endpoint: Endpoint) -> dict[str, Any]:
    return {"container": endpoint.container, "names": list(endpoint.names),
            "addresses": [str(a) for a in endpoint.addresses]}


def endpoint_from_json(data: Any) -> Endpoint:
    """Check and convert one endpoint; ValueError names what is wrong."""
    if not isinstance(data, dict) or not isinstance(data.get("container"), str) or not data["container"]:
        raise ValueError("an endpoint needs a non-empty string `container`")
    names, addresses = data.get("names", []), data.get("addresses", [])
    if not isinstance(names, list) or not all(isinstance(n, str) and 0 < len(n) < 254 for n in names):
        raise ValueError(f"endpoint `{data['container']}`: `names` must be a list of names")
    if not isinstance(addresses, list) or not all(isinstance(a, str) for a in addresses):
        raise ValueError(f"endpoint `{data['container']}`: `addresses` must be a list of strings")
    try:
        parsed = tuple(ip_address(a) for a in addresses)
    except ValueError as bad:
        raise ValueError(f"endpoint `{data['container']}`: in `addresses`: {bad}") from None
    return Endpoint(data["container"], tuple(names), parsed)


def string(request: dict[str, Any], key: str) -> str:
    value = request.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f"`{key}` must be a non-empty string")
    return value


def strings(request: dict[str, Any], key: str, default: list[str] | None = None) -> list[str]:
    value = request.get(key, default)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"`{key}` must be a list of strings")
    return value
