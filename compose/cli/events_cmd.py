"""`pycompose events [SERVICE...]`: the project's container events as they happen, as Docker Compose prints them.

    2026-12-07 06:10:02.123456 container start 3f2a... (image=busybox, name=demo-web-1)

(with Compose's blank line after each), or with `--json` one object a line: `time` (RFC 3339, ns), `type`,
`action`, `id`, `service`, `attributes`. The attributes leave out Compose's own labels; one-off `run`
containers are left out, as Compose does. `--since` and `--until` take Docker's times (RFC 3339, a Unix time,
or a duration before now such as 10m): with `--since` the events kept from then are shown first; with
`--until` the stream ends then. Events come from the engine's events file (engine.events).
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


def stamp(ns: int, pattern: str) -> str:
    """`ns` since the epoch in local time, `pattern` a strftime one whose %f is given nine digits."""
    import time

    seconds, fraction = divmod(ns, 10**9)
    return time.strftime(pattern, time.localtime(seconds)).replace("%f", f"{fraction:09d}")


def zone(ns: int) -> str:
    """The local zone's offset at `ns` as RFC 3339 writes it: `Z` for UTC, else `+01:00`."""
    import time

    offset = time.strftime("%z", time.localtime(ns // 10**9))
    return "Z" if offset in ("+0000", "-0000") else f"{offset[:3]}:{offset[3:]}"


def rfc3339(ns: int) -> str:
    """Go's RFC3339Nano of a local time: fraction without trailing zeros."""
    return stamp(ns, "%Y-%m-%dT%H:%M:%S.%f").rstrip("0").rstrip(".") + zone(ns)


@app.command("events", help="Receive real time events from containers")
def events(
    ctx: typer.Context,
    services: Annotated[list[str] | None, typer.Argument(help="Only the events of these services")] = None,
    json_: Annotated[bool, typer.Option("--json", help="Output events as a stream of json objects")] = False,
    since: Annotated[str | None, typer.Option("--since", help="Show all events created since timestamp")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Stream events until this timestamp")] = None,
) -> None:
    from compose.cli.up_cmd import open_project
    from compose.plan import labels as L
    from engine import events as engine_events
    from engine.logs import parse_since

    _, project, world = open_project(ctx, by_name=True)
    for name in services or ():
        project.service(name)  # ServiceNotFound names the services there are
    stream = engine_events.follow(world.containers.roots.state, since=parse_since(since) if since else None,
                                  until=parse_since(until) if until else None)
    try:
        for event in stream:
            attributes = event["attributes"]
            service = attributes.get(L.SERVICE, "")
            if (event["type"] != "container" or attributes.get(L.PROJECT) != project.name
                    or attributes.get(L.ONEOFF, "False") == "True" or (services and service not in services)):
                continue
            shown = {k: v for k, v in attributes.items() if not k.startswith(L.PREFIX)}
            if json_:
                line = json.dumps({"time": rfc3339(event["time"]), "type": "container", "service": service,
                                   "id": event["id"], "action": event["action"], "attributes": shown})
            else:
                listed = ", ".join(f"{k}={v}" for k, v in sorted(shown.items()))
                line = (f"{stamp(event['time'], '%Y-%m-%d %H:%M:%S.%f')[:26]} container {event['action']} "
                        f"{event['id']} ({listed})\n")
            sys.stdout.write(line + "\n")
            sys.stdout.flush()
    except KeyboardInterrupt:
        raise typer.Exit(0) from None
