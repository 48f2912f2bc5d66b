"""`pycompose system ...`: Docker's `system info`, `df [-v]`, `prune [-a] [--volumes] [-f]` and `events`.

The engine gathers (engine.system: containers, images, volumes); netplan's unused networks
are pruned here beside it, as the engine never imports netplan. Output has Docker's shapes:
`info`'s "Server:" section (or its JSON with `--format json`), `df`'s TYPE TOTAL ACTIVE SIZE
RECLAIMABLE table, `prune`'s warning and prompt, its "Deleted ...:" lists and
"Total reclaimed space: X".
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from engine.events import Event
    from engine.roots import Roots
    from engine.system import DiskUsage, PruneReport

app = typer.Typer(name="system", help="Manage pycompose's engine", add_completion=False,
                  pretty_exceptions_enable=False, rich_markup_mode=None, no_args_is_help=True)


def _roots() -> Roots:
    from engine.roots import roots

    return roots()


def out(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def size(n: float) -> str:
    """Docker's units.HumanSize (4 significant digits), which df and prune print."""
    from pycompose.units import human_size

    return human_size(n, 4)


@app.command("info", help="Display system-wide information")
def info(format: Annotated[str | None, typer.Option("--format", "-f", help="json for a JSON object")]  # noqa: A002
         = None) -> None:
    from engine import system
    from pycompose.units import bytes_size

    facts = system.info(_roots())
    if format == "json":
        out(json.dumps(facts) + "\n")
        return
    out("Server:\n"
        f" Containers: {facts['Containers']}\n"
        f"  Running: {facts['ContainersRunning']}\n"
        f"  Paused: {facts['ContainersPaused']}\n"
        f"  Stopped: {facts['ContainersStopped']}\n"
        f" Images: {facts['Images']}\n"
        f" Server Version: {facts['ServerVersion']}\n"
        f" Storage Driver: {facts['Driver']}\n"
        f" Cgroup Driver: {facts['CgroupDriver']}\n"
        f" Cgroup Version: {facts['CgroupVersion']}\n"
        f" Kernel Version: {facts['KernelVersion']}\n"
        f" Operating System: {facts['OperatingSystem']}\n"
        f" OSType: {facts['OSType']}\n"
        f" Architecture: {facts['Architecture']}\n"
        f" CPUs: {facts['NCPU']}\n"
        f" Total Memory: {bytes_size(facts['MemTotal'])}\n"
        f" Name: {facts['Name']}\n"
        f" Docker Root Dir: {facts['DockerRootDir']}\n"
        f" Run Root Dir: {facts['RunRootDir']}\n")


def _reclaimable(free: int, total: int, percent: bool = True) -> str:
    if not percent:
        return size(free)
    return f"{size(free)} ({int(free * 100 / total) if total else 0}%)"


@app.command("df", help="Show pycompose disk usage")
def df(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show detailed information on space "
                                                                  "usage")] = False,
       format: Annotated[str | None, typer.Option("--format", help="json for one object per type")]  # noqa: A002
       = None) -> None:
    from compose.cli.render_images import table
    from engine import system

    usage = system.disk_usage(_roots())
    rows = usage.summary()
    if format == "json":
        out("".join(json.dumps({"Type": kind, "TotalCount": str(total), "Active": str(active), "Size": size(used),
                                "Reclaimable": _reclaimable(free, used, kind != "Build Cache")},
                               separators=(",", ":")) + "\n" for kind, total, active, used, free in rows))
        return
    if verbose:
        out(_verbose(usage))
        return
    out(table(["TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"],
              [[kind, str(total), str(active), size(used), _reclaimable(free, used, kind != "Build Cache")]
               for kind, total, active, used, free in rows]))


def _verbose(usage: DiskUsage) -> str:
    import time

    from compose.cli.render_images import human_duration, table
    from engine.containers import views
    from engine.images import names as image_names
    from engine.logs import parse_time

    def ago(stamp: str) -> str:
        try:
            return human_duration(time.time() - parse_time(stamp) / 1e9) + " ago"
        except (ValueError, TypeError):
            return ""

    images = []
    for image in usage.images:
        for name in image.names or (None,):
            repo, tag = image_names.short(name).rsplit(":", 1) if name else ("<none>", "<none>")
            images.append([repo, tag, image.id.removeprefix("sha256:")[:12], ago(image.created), size(image.size),
                           size(image.shared), size(image.size - image.shared), str(image.containers)])
    containers = [[c.id[:12], c.image, views.command_text(c.command), str(c.volumes), size(c.size), ago(c.created),
                   c.status, c.name] for c in usage.containers]
    volumes = [[v.name, str(v.links), size(v.size)] for v in usage.volumes]
    return ("Images space usage:\n\n"
            + table(["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE", "SHARED SIZE", "UNIQUE SIZE", "CONTAINERS"],
                    images)
            + "\nContainers space usage:\n\n"
            + table(["CONTAINER ID", "IMAGE", "COMMAND", "LOCAL VOLUMES", "SIZE", "CREATED", "STATUS", "NAMES"],
                    containers)
            + "\nLocal Volumes space usage:\n\n" + table(["VOLUME NAME", "LINKS", "SIZE"], volumes)
            + "\nBuild cache usage: 0B\n")


def _warning(all_images: bool, volumes: bool) -> str:
    lines = ["all stopped containers", "all networks not used by at least one container"]
    if volumes:
        lines.append("all anonymous volumes not used by at least one container")
    lines.append("all images without at least one container associated to them" if all_images
                 else "all dangling images")
    lines.append("all build cache" if all_images else "unused build cache")
    return "WARNING! This will remove:\n" + "".join(f"  - {line}\n" for line in lines) + "\n"


def _prune_networks(roots: Roots) -> list[str]:
    """The networks no container is attached to (netplan's; the engine does not know networks)."""
    if not roots.networks.is_dir():
        return []
    from compose.reconcile.proxy import network_service
    from netplan.service import NetworkInUse

    service = network_service(roots)       # wired as every command: the firewall keeps its mode
    deleted = []
    for network in service.list_networks():
        if network.endpoints:
            continue
        try:
            service.remove_network(network.record.name)
        except NetworkInUse:  # a container joined it meanwhile: no longer unused
            continue
        deleted.append(network.record.name)
    return deleted


@app.command("prune", help="Remove unused data")
def prune(all_: Annotated[bool, typer.Option("--all", "-a", help="Remove all unused images not just dangling "
                                                                "ones")] = False,
          volumes: Annotated[bool, typer.Option("--volumes", help="Prune anonymous volumes")] = False,
          force: Annotated[bool, typer.Option("--force", "-f", help="Do not prompt for confirmation")] = False
          ) -> None:
    from engine import system

    if not force:
        sys.stderr.write(_warning(all_, volumes) + "Are you sure you want to continue? [y/N] ")
        sys.stderr.flush()
        if sys.stdin.readline().strip().lower() not in ("y", "yes"):
            return
    roots = _roots()
    report = system.PruneReport()
    system.prune_containers(roots, report)  # first: what they held becomes unused
    networks = _prune_networks(roots)
    if volumes:
        system.prune_volumes(roots, report)
    system.prune_images(roots, report, all_)
    out(_report(report, networks))


def _report(report: PruneReport, networks: list[str]) -> str:
    sections: list[tuple[str, list[Any]]] = [("Deleted Containers", report.containers),
                                             ("Deleted Networks", networks), ("Deleted Volumes", report.volumes),
                                             ("Deleted Images", report.images)]
    text = "".join(f"{title}:\n" + "".join(f"{line}\n" for line in lines) + "\n" for title, lines in sections
                   if lines)
    return text + f"Total reclaimed space: {size(report.reclaimed)}\n"


@app.command("events", help="Get real time events from the engine")
def events(
    since: Annotated[str | None, typer.Option("--since", help="Show all events created since timestamp")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Stream events until this timestamp")] = None,
    filter_: Annotated[list[str] | None, typer.Option("--filter", "-f", help="Filter output based on conditions "
                                                                             "provided (type, event, container, "
                                                                             "image, label)")] = None,
    format_: Annotated[str | None, typer.Option("--format", help="json, or a Go template over each event")]
    = None,
) -> None:
    """Docker's `events`: `2026-12-07T06:10:02.123456789Z container die 3f2a... (exitCode=0, name=web)`."""
    from compose.cli import formatting
    from compose.cli.events_cmd import stamp, zone
    from engine import events as engine_events
    from engine.logs import parse_since

    wanted = _event_filters(filter_ or ())
    stream = engine_events.follow(_roots().state, since=parse_since(since) if since else None,
                                  until=parse_since(until) if until else None)
    try:
        for event in stream:
            if not all(_matches(event, key, values) for key, values in wanted.items()):
                continue
            if format_:
                message = _docker_message(event)
                out(json.dumps(message) + "\n" if format_ == "json" else formatting.render([message], format_, {}))
            else:
                attrs = ", ".join(f"{k}={v}" for k, v in sorted(event["attributes"].items()))
                when = stamp(event["time"], "%Y-%m-%dT%H:%M:%S.%f") + zone(event["time"])
                out(f"{when} {event['type']} {event['action']} {event['id']}" + (f" ({attrs})" if attrs else "") + "\n")
            sys.stdout.flush()
    except KeyboardInterrupt:
        raise typer.Exit(0) from None


EVENT_FILTERS = ("type", "event", "container", "image", "label")


def _event_filters(given: Sequence[str]) -> dict[str, list[str]]:
    from compose.errors import ProjectError

    wanted: dict[str, list[str]] = {}
    for item in given:
        key, sep, value = item.partition("=")
        if not sep or key not in EVENT_FILTERS:
            raise ProjectError(f"invalid filter {item!r}", hint=f"use {', '.join(k + '=...' for k in EVENT_FILTERS)}")
        wanted.setdefault(key, []).append(value)
    return wanted


def _matches(event: Event, key: str, values: list[str]) -> bool:
    attributes = event["attributes"]
    if key == "type":
        return event["type"] in values
    if key == "event":
        return event["action"] in values or event["action"].partition(":")[0] in values
    if key == "container":
        return event["type"] == "container" and any(event["id"].startswith(v) or attributes.get("name") == v
                                                    for v in values)
    if key == "image":
        return attributes.get("image") in values
    return any(attributes.get(v.partition("=")[0]) == v.partition("=")[2] if "=" in v else v in attributes
               for v in values)


def _docker_message(event: Event) -> dict[str, object]:
    """An event as the Docker API's JSON message (what `docker events --format '{{json .}}'` prints)."""
    seconds = event["time"] // 10**9
    return {"status": event["action"], "id": event["id"], "from": event["attributes"].get("image", ""),
            "Type": event["type"], "Action": event["action"],
            "Actor": {"ID": event["id"], "Attributes": event["attributes"]}, "scope": "local",
            "time": seconds, "timeNano": event["time"]}

