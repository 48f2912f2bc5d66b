"""The IPAM state on disk: one JSON file, changed under an exclusive lock, written atomically.

Layout under the state root (a parameter, so tests use a temporary directory):

    <root>/netplan/ipam.json   the state (`ipam_state.to_json`)
    <root>/netplan/ipam.lock   flock(2) target; held for a whole read-change-write

Lifecycle of a change: lock, read, run a pure transition, write a temporary file, fsync it,
rename it over `ipam.json`, fsync the directory, unlock. Readers see the old or the new file,
never half of one; two processes allocating at once are serialised by the lock, so they never
receive one address or one subnet.

    >>> store = IpamStore(root)                                   # doctest: +SKIP
    >>> record = store.add_network("demo_back", (), taken=[])     # doctest: +SKIP
    >>> store.allocate("demo_back", "demo-api-1")                 # doctest: +SKIP
    IPv4Address('172.17.0.2')
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from netplan import ipam_state
from netplan.errors import NetplanError, StateFailed
from netplan.ipam import Address, SubnetRequest, Taken
from netplan.ipam_state import IpamState, NetworkRecord
from pycompose.files import locked, read_parsed, write_atomic

T = TypeVar("T")


class IpamStore:
    def __init__(self, state_root: str | os.PathLike[str]):
        self.dir = Path(state_root) / "netplan"
        self.path = self.dir / "ipam.json"
        self.lock_path = self.dir / "ipam.lock"

    def load(self) -> IpamState:
        """The state as last written (a consistent snapshot: writes are atomic renames)."""
        try:
            return read_parsed(self.path, _parse)
        except FileNotFoundError:
            return IpamState()
        except OSError as err:
            raise StateFailed(f"read IPAM state `{self.path}`: {err.strerror}") from err
        except (ValueError, KeyError, TypeError, NetplanError) as err:
            raise StateFailed(f"read IPAM state `{self.path}`: the file is corrupt ({err})",
                              hint="move the file aside and create the networks again") from err

    def add_network(self, name: str, requests: Iterable[SubnetRequest], taken: Collection[Taken], *,
                    enable_ipv6: bool = False) -> NetworkRecord:
        requests = tuple(requests)
        return self._change(lambda s: ipam_state.add_network(s, name, requests, taken, enable_ipv6=enable_ipv6))

    def remove_network(self, name: str) -> None:
        self._change(lambda s: (ipam_state.remove_network(s, name), None))

    def allocate(self, network: str, owner: str, address: Address | None = None, version: int = 4) -> Address:
        return self._change(lambda s: ipam_state.allocate(s, network, owner, address, version))

    def release(self, network: str, owner: str) -> None:
        self._change(lambda s: (ipam_state.release(s, network, owner), None))

    def _change(self, transition: Callable[[IpamState], tuple[IpamState, T]]) -> T:
        with self._locked():
            before = self.load()
            after, result = transition(before)
            if after is not before:
                self._write(after)
            return result

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.dir.mkdir(parents=True, exist_ok=True)
        with locked(self.lock_path):
            yield

    def _write(self, state: IpamState) -> None:
        data = json.dumps(ipam_state.to_json(state), sort_keys=True, separators=(",", ":")).encode() + b"\n"
        try:
            write_atomic(self.path, data)
        except OSError as err:
            raise StateFailed(f"write IPAM state `{self.path}`: {err.strerror}") from err


def _parse(data: bytes) -> IpamState:
    return ipam_state.from_json(json.loads(data))
