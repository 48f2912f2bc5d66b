"""Published ports through the userland proxy, or through NAT alone: the engine setting, and the wiring.

Docker publishes every port by NAT rules *and* by its userland proxy (docker-proxy), unless the daemon
runs with `--userland-proxy=false`; the proxy is what makes a port published on 127.0.0.1 or ::1
reachable from the host itself without `route_localnet` (IPv6 has none). pycompose has no daemon, so
the switch is an engine setting, read by every command:

    PYCOMPOSE_USERLAND_PROXY=false       (or 0, no, off; true, 1, yes, on) in the environment, else
    <state root>/daemon.json             {"userland-proxy": false}, Docker's own key, else
    on                                   Docker's default

With the proxy on, `World` gives the NetworkService an `OnDemandProxy` (netplan.proxy.on_demand): the
run root's one proxy process (`<run root>/proxy`) starts with the first published port and stops with
the last one, so `down` leaves no process; the firewall then leaves the host's loopback to it. With it
off, the firewall DNATs 127.0.0.1 too (route_localnet), and ::1 is not served, as in Docker.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from compose.errors import ComposeError
from pycompose.errors import InvalidArgument

if TYPE_CHECKING:
    from engine.roots import Roots
    from netplan.service import NetworkService

ENV = "PYCOMPOSE_USERLAND_PROXY"
SETTINGS = "daemon.json"
KEY = "userland-proxy"
WORDS = {"true": True, "1": True, "yes": True, "on": True, "false": False, "0": False, "no": False, "off": False}


class SettingInvalid(ComposeError, InvalidArgument):
    """An engine setting that cannot be read."""


def enabled(state_root: Path, environ: Mapping[str, str] | None = None) -> bool:
    """Whether published ports go through the userland proxy as well as NAT (Docker's default: yes)."""
    environ = os.environ if environ is None else environ
    given = environ.get(ENV)
    if given is not None and given.strip():
        word = given.strip().lower()
        if word not in WORDS:
            raise SettingInvalid(f"read {ENV}: {given!r} is not true or false")
        return WORDS[word]
    path = state_root / SETTINGS
    try:
        settings = json.loads(path.read_text())
    except FileNotFoundError:
        return True
    except (OSError, ValueError) as error:
        raise SettingInvalid(f"read engine settings `{path}`: {error}") from None
    value = settings.get(KEY, True) if isinstance(settings, dict) else None
    if not isinstance(value, bool):
        raise SettingInvalid(f"read engine settings `{path}`: {KEY!r} is {value!r}, not true or false")
    return value


def network_service(roots: Roots, host_netns: Path | None = None) -> NetworkService:
    """The roots' NetworkService, wired to the proxy when the setting is on: every command that can change the
    firewall must make it this way, or it would render the ruleset of the other mode."""
    from netplan.service import NetworkService

    networks = NetworkService(roots.networks, roots.run, host_netns=host_netns)
    wire(networks, roots.state, roots.run, host_netns)
    return networks


def wire(networks: NetworkService, state_root: Path, run_root: Path, host_netns: Path | None = None) -> None:
    """Give `networks` the run root's on-demand proxy when the setting is on (it starts nothing yet). With it
    off, a proxy still running (the setting was turned off while ports were published) is stopped and the
    firewall rendered again for NAT alone, so loopback keeps answering and no process is left behind."""
    from netplan.proxy.on_demand import SOCKET, OnDemandProxy

    if not enabled(state_root):
        if (run_root / "proxy" / SOCKET).exists():
            OnDemandProxy(run_root / "proxy", host_netns=host_netns).stop()
            networks.refresh_firewall()
        return

    networks.proxy = OnDemandProxy(run_root / "proxy", host_netns=host_netns, published=networks.published)


def ensure(networks: NetworkService) -> None:
    """The proxy serves again what the records publish, if it should run and does not (it was killed, or the
    host rebooted): called where containers are about to run, as the DNS server is."""
    from netplan.proxy.on_demand import OnDemandProxy

    if isinstance(networks.proxy, OnDemandProxy):
        networks.proxy.ensure()


def stop(run_root: Path, host_netns: Path | None = None) -> None:
    """End the run root's proxy whatever it serves (cleanup after a crash; `down` needs no call)."""
    from netplan.proxy.on_demand import OnDemandProxy

    OnDemandProxy(run_root / "proxy", host_netns=host_netns).stop()
