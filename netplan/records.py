"""The network service's records on disk: every network and every endpoint, in one locked JSON file.

Terms:
    network record    what `pycompose network create` asked for and what was made: id, name,
                      bridge, options, labels (its subnets live in the IPAM state)
    endpoint record   one container on one network: its veth, interface, addresses, MAC,
                      aliases, default-route priority and published ports

Layout under the state directory (a parameter; the CLI passes `<state root>/networks`):

    <dir>/records.json   the records (`to_json`)
    <dir>/records.lock   flock(2) target, held by the service for a whole operation, so the
                         firewall rendered from "all records" is never rendered from stale ones

Writes are atomic (temporary file, fsync, rename, fsync of the directory): a reader sees the
old or the new file, never half of one, and the records survive the process that wrote them.

    >>> store = RecordStore(state_dir)                             # doctest: +SKIP
    >>> with store.locked() as records:                            # doctest: +SKIP
    ...     store.write(records.with_network(network))
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from ipaddress import IPv4Interface, IPv6Interface, ip_interface
from pathlib import Path
from typing import Any

from netplan.errors import StateFailed
from netplan.firewall.spec import PublishedPort
from netplan.proxy.wire import decode, encode
from pycompose.files import locked, read_parsed, write_atomic

FORMAT = 1
Interface = IPv4Interface | IPv6Interface


@dataclass(frozen=True)
class NetworkRecord:
    """A network as netplan keeps it: name, id, bridge, options, labels."""

    id: str                                     # 64 hex digits, Docker's shape
    name: str
    created: str                                # RFC 3339, UTC
    bridge: str                                 # the link: `pc` + 12 hex digits of the id
    driver: str = "bridge"
    enable_ipv6: bool = False
    internal: bool = False
    mtu: int | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    options: Mapping[str, str] = field(default_factory=dict)  # driver options, as given


@dataclass(frozen=True)
class EndpointRecord:
    """A container's attachment to a network: its veth, addresses, aliases, ports."""

    id: str                                     # 64 hex digits, from the network id and the container
    network: str                                # the network's name
    container: str                              # the caller's name for what joined (a container id)
    name: str                                   # its display name, and its IPAM owner
    netns: str                                  # the namespace file it was plumbed into
    ifname: str                                 # its interface there (eth0, ...)
    veth: str                                   # the host end (`pcv...`)
    mac: str
    addresses: tuple[Interface, ...] = ()
    aliases: tuple[str, ...] = ()
    priority: int = 0                           # compose `gw_priority`
    ports: tuple[PublishedPort, ...] = ()
    hostname: str = ""                          # the container's host name: a DNS name too, on this network


@dataclass(frozen=True)
class Records:
    """Every network and endpoint netplan keeps."""

    networks: Mapping[str, NetworkRecord] = field(default_factory=dict)    # by name
    endpoints: Mapping[str, EndpointRecord] = field(default_factory=dict)  # by id

    def with_network(self, network: NetworkRecord) -> Records:
        return Records({**self.networks, network.name: network}, self.endpoints)

    def without_network(self, name: str) -> Records:
        return Records({k: v for k, v in self.networks.items() if k != name}, self.endpoints)

    def with_endpoint(self, endpoint: EndpointRecord) -> Records:
        return Records(self.networks, {**self.endpoints, endpoint.id: endpoint})

    def without_endpoint(self, endpoint_id: str) -> Records:
        return Records(self.networks, {k: v for k, v in self.endpoints.items() if k != endpoint_id})

    def endpoints_of(self, network: str) -> list[EndpointRecord]:
        return sorted((e for e in self.endpoints.values() if e.network == network), key=lambda e: e.name)

    def endpoints_in(self, netns: str) -> list[EndpointRecord]:
        return sorted((e for e in self.endpoints.values() if e.netns == netns), key=lambda e: e.ifname)

    def endpoint(self, network: str, container: str) -> EndpointRecord | None:
        return next((e for e in self.endpoints.values() if e.network == network and e.container == container), None)


class RecordStore:
    def __init__(self, state_dir: str | os.PathLike[str]):
        self.dir = Path(state_dir)
        self.path = self.dir / "records.json"
        self.lock_path = self.dir / "records.lock"

    def load(self) -> Records:
        """The records as last written (a consistent snapshot, without the lock)."""
        try:
            return read_parsed(self.path, _parse)
        except FileNotFoundError:
            return Records()
        except OSError as err:
            raise StateFailed(f"read network records `{self.path}`: {err.strerror}") from err
        except (ValueError, KeyError, TypeError) as err:
            raise StateFailed(f"read network records `{self.path}`: the file is corrupt ({err})",
                              hint="move the file aside; the networks it named must then be removed by hand") from err

    @contextmanager
    def locked(self) -> Iterator[Records]:
        """Hold the lock for a whole read-change-write; yields the records read under it."""
        with ExitStack() as held:
            try:
                self.dir.mkdir(parents=True, exist_ok=True)
                held.enter_context(locked(self.lock_path))
            except OSError as err:
                raise StateFailed(f"lock network records `{self.lock_path}`: {err.strerror}") from err
            yield self.load()

    def write(self, records: Records) -> None:
        """Replace the file atomically; call it while holding `locked()`."""
        data = json.dumps(to_json(records), sort_keys=True, separators=(",", ":")).encode() + b"\n"
        try:
            write_atomic(self.path, data)
        except OSError as err:
            raise StateFailed(f"write network records `{self.path}`: {err.strerror}") from err


def to_json(records: Records) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "networks": {name: {**vars(n), "labels": dict(n.labels), "options": dict(n.options)}
                     for name, n in sorted(records.networks.items())},
        "endpoints": {eid: {**vars(e), "addresses": [str(a) for a in e.addresses], "aliases": list(e.aliases),
                            "ports": [encode(p) for p in e.ports]}
                      for eid, e in sorted(records.endpoints.items())},
    }


def from_json(doc: Mapping[str, Any]) -> Records:
    if doc.get("format") != FORMAT:
        raise ValueError(f"format {doc.get('format')!r} is not {FORMAT}")
    networks = {name: NetworkRecord(**raw) for name, raw in doc["networks"].items()}
    endpoints = {eid: EndpointRecord(**{**raw, "addresses": tuple(ip_interface(a) for a in raw["addresses"]),
                                        "aliases": tuple(raw["aliases"]),
                                        "ports": tuple(decode(p) for p in raw["ports"])})
                 for eid, raw in doc["endpoints"].items()}
    return Records(networks, endpoints)


def _parse(data: bytes) -> Records:
    return from_json(json.loads(data))
