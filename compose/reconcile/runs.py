"""One container of a service, made whole and unmade: its network namespace, the engine's container, its
endpoints on the service's networks and its published ports.

    make:    namespace `<run root>/netns/pc<12 hex>`  ->  engine create (network = that path)
             ->  attach to each network (name: the container's, aliases: the service's name and its own)
             ->  publish the ports through the first network  ->  (start, by the executor)
             with the DNS server on (`dns`): the container's resolv.conf and hosts are given to the engine,
             and its listener at 127.0.0.11 opens once it is attached
    unmake:  stop  ->  unmount  ->  engine remove  ->  detach from every network  ->  listener closed
             ->  namespace removed  ->  (its veths gone)

The namespace path is kept by the engine (the container's `network` option), so `unmake` finds it
from the record. A failure while making unwinds what was made, newest first.
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from compose.model import PortConfig, Project, Service
from compose.reconcile import dns, host_config, mounts, namespaces
from compose.reconcile.errors import DependencyFailed, NotSupportedYet
from compose.reconcile.namespaces import netns_of

if TYPE_CHECKING:
    from compose.reconcile.world import World
    from engine.containers.options import RunOptions
    from engine.state import ContainerRecord
    from engine.state.record import Healthcheck as EngineHealthcheck
    from netplan.service_ports import PortRequest


def run_options(service: Service, name: str, image: str, labels: Mapping[str, str], network: str) -> RunOptions:
    from engine.containers.options import RunOptions

    env = tuple(f"{k}={v}" for k, v in service.environment.items() if v is not None)
    return RunOptions(image=image, command=tuple(service.command or ()), entrypoint=service.entrypoint, name=name,
                      env=env, user=service.user, workdir=service.working_dir, hostname=service.hostname,
                      network=network, runtime=service.runtime or "native", labels=dict(labels),
                      restart=service.restart or "no", stop_signal=service.stop_signal,
                      stop_timeout=service.stop_grace_period, healthcheck=healthcheck(service), tty=service.tty,
                      open_stdin=service.stdin_open, **host_config.fields(service))


def healthcheck(service: Service) -> EngineHealthcheck | None:
    """The service's healthcheck for the engine: None keeps the image's; `disable` turns it off."""
    from engine.state.record import Healthcheck as EngineHealthcheck

    given = service.healthcheck
    if given is None:
        return None
    if given.disable or given.test[:1] == ("NONE",):
        return EngineHealthcheck(test=("NONE",))
    if not given.test:
        return None  # only timings: Compose keeps the image's test, which the engine's default holds
    defaults = EngineHealthcheck(test=given.test)
    return EngineHealthcheck(
        test=given.test,
        interval=defaults.interval if given.interval is None else given.interval,
        timeout=defaults.timeout if given.timeout is None else given.timeout,
        retries=defaults.retries if given.retries is None else given.retries,
        start_period=defaults.start_period if given.start_period is None else given.start_period,
        start_interval=defaults.start_interval if given.start_interval is None else given.start_interval)


def port_requests(service: Service) -> list[PortRequest]:
    from netplan.service_ports import PortRequest

    return [_request(PortRequest, p) for p in service.ports]


def check_ports(world: World, project: Project, actions: Sequence[object]) -> None:
    """Before anything of the plan is made: the host ports its new containers publish are free (a port the
    container it replaces publishes counts as free). Only containers of their own namespace publish: the
    ports of `network_mode: host` (or none, or another's namespace) are ignored, as by `make`."""
    from compose.plan import actions as A

    made = [a for a in actions if isinstance(a, (A.CreateContainer, A.RecreateContainer))
            and _network_mode(project.services[a.service]) is None]
    leaving = {a.old_id for a in made if isinstance(a, A.RecreateContainer)}
    leaving |= {a.id for a in actions if isinstance(a, A.RemoveContainer)}
    wanted = [r for a in made for r in port_requests(project.services[a.service])]
    if wanted:
        world.networks.preflight(wanted, leaving=leaving)


def _request(kind: type[PortRequest], port: PortConfig) -> PortRequest:
    """A host range (`8000-8010`) lets netplan give each container the first port of it still free."""
    first, _, last = (port.published or "0").partition("-")
    return kind(port.target, port.protocol, port.host_ip or "0.0.0.0", int(first or 0), int(last or 0))


def _network_mode(service: Service) -> str | None:
    """"host", "none", or "service:x"/"container:x" (joining another's namespace) when the service asks for
    it; None for its own namespace on its networks."""
    mode = service.network_mode
    if mode in (None, "bridge", "default"):
        return None
    if mode in ("host", "none") or mode.startswith(("service:", "container:")):
        return mode
    raise NotSupportedYet(f"service {service.name}: network_mode {mode!r} is not supported yet",
                          hint="use networks:, or network_mode: host / none / service:<name> / container:<name>")


def _joined(world: World, project: Project, service: Service, mode: str) -> dict[str, str] | None:
    """The namespace (and resolv.conf, hosts) of the container that `network_mode: service:x|container:x`
    names, as run options to merge; None when it runs with the host's network."""
    from compose.plan import labels as L
    from compose.reconcile.observe import project_records

    kind, _, target = mode.partition(":")
    if kind == "service":
        records = [r for r in project_records(world, project.name)
                   if r.labels.get(L.SERVICE) == target and r.labels.get(L.ONEOFF, "False") != "True"
                   and r.state in ("running", "paused", "restarting")]
        if not records:
            raise DependencyFailed(f"service {service.name}: network_mode {mode}: service {target} has no "
                                   f"running container to share its network with")
        record = records[0]
    else:
        record = world.containers.get(target)
    network = record.config.launch.get("options", {}).get("network", "")
    if network == "host":
        return None
    path = netns_of(record, world.run_root)
    if path is None:
        raise DependencyFailed(f"service {service.name}: network_mode {mode}: {record.name} has no network "
                               f"namespace to share (its network is {network or 'none'!r})")
    options = {"network": str(path)}
    directory = world.run_root / "etc" / path.name
    if (directory / "resolv.conf").exists():
        options |= {"resolv_conf": str(directory / "resolv.conf"), "hosts": str(directory / "hosts")}
    return options


def make(world: World, project: Project, service: Service, name: str, image: str,
         labels: Mapping[str, str], *, aliases: bool = True, anonymous: Mapping[str, str] | None = None,
         engine_options: Mapping[str, object] | None = None) -> ContainerRecord:
    """Create the container `name` of `service`, plumbed and published, not started.

    `aliases=False` (a one-off `run` container): known on its networks by its own name only, not the service's.
    `anonymous`: target -> anonymous volume of the container this one replaces, mounted again where the
    service or its image still has an anonymous volume. `engine_options`: RunOptions fields that are not the
    service's (a one-off's stdin_once and console_size).
    """
    from netplan import netns
    from netplan.service import Unwind

    mode = _network_mode(service)
    with Unwind() as undo:
        path: Path | None = None
        joins = mode is not None and ":" in mode
        files = world.files_dir(name)
        undo.add(shutil.rmtree, files, True)
        options = mounts.attach(run_options(service, name, image, labels, "" if joins else mode or ""), project,
                                service, files)
        options = replace(options, **(engine_options or {}))
        options = host_config.joins(world, project, service, options)
        if anonymous:
            image_volumes = world.images.get(image).config.container_config.get("Volumes") or {}
            options = mounts.reuse_anonymous(options, anonymous, image_volumes)
        if joins:
            shared = _joined(world, project, service, mode)  # type: ignore[arg-type]
            options = replace(options, **shared) if shared else replace(options, network="host")
            return world.containers.create(options)
        if mode is None:
            ns_name = f"pc{secrets.token_hex(6)}"
            path = netns.path_of(world.run_root, ns_name)  # made once the record names it (below)
            options = replace(options, network=str(path))
            if dns.enabled(world):
                undo.add(dns.unplug, world, None, ns_name)
                resolv_conf, hosts = dns.files(world, service, ns_name)
                options = replace(options, resolv_conf=resolv_conf, hosts=hosts)
        record = world.containers.create(options, whole=False)  # `dead` until plumbed: a killed up leaves no
        undo.add(world.containers.remove, record.id, True)       # container that would start without its networks
        if path is None:
            return world.containers.made(record.id)
        netns.create(world.run_root, ns_name)  # after the record that names it: a killed up leaves none unknown
        undo.add(netns.remove, world.run_root, ns_name)
        keys = sorted((k for k in service.networks if k in project.networks),
                      key=lambda k: -service.networks[k].gw_priority)
        addresses: list[str] = []
        for key in keys:
            how = service.networks[key]
            net = project.networks[key].name
            known_as = (service.name, *how.aliases) if aliases else ()
            endpoint = world.networks.attach(net, record.id, path, name=name, aliases=known_as,
                                             ipv4_address=how.ipv4_address, ipv6_address=how.ipv6_address,
                                             mac=how.mac_address, ifname=how.interface_name,
                                             priority=how.gw_priority, hostname=service.hostname or "")
            undo.add(world.networks.detach, net, record.id)
            addresses += [str(a.ip) for a in endpoint.addresses]
        if dns.enabled(world):
            undo.add(dns.unplug, world, record.id, path.name)
            dns.plug(world, service, path.name, record.id, service.hostname or record.id[:12], path,
                     [project.networks[k].name for k in keys], addresses)
        if service.ports:
            if not keys:
                raise NotSupportedYet(f"service {service.name}: publishing ports needs a network")
            world.networks.publish(project.networks[keys[0]].name, record.id, port_requests(service))
        return world.containers.made(record.id)


def unmake(world: World, container: str, timeout: float | None = None, *,
           gate: AbstractContextManager[object] | None = None) -> None:
    """Stop and remove the container, take it off its networks, remove its namespace.

    `gate` (a semaphore: compose.reconcile.execute) is held while the container is taken apart, but not while
    it stops, nor while its root filesystem is unmounted (the kernel syncs the filesystem under the upper
    layer first, and unmounts made at once share that sync), nor while the kernel destroys its veths: waits,
    which many removals share, and which cost no CPU."""
    record = world.containers.get(container)
    world.containers.stop(record.id, timeout)
    world.containers.unmount(record.id)
    with gate or contextlib.nullcontext():
        world.containers.remove(record.id, force=True)
        shutil.rmtree(world.files_dir(record.name), ignore_errors=True)
        leaving = namespaces.release(world, record, wait=False)
    world.networks.await_links_gone(leaving)
