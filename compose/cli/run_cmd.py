"""`pycompose run`: a one-off command on a service, in a new container (compose.reconcile.oneoff).

Its dependencies are brought up first (progress on stderr, as `up` prints it) unless `--no-deps`.
Attached (the default) the container's stdout and stderr are streamed until it exits, `run` exits with its
code, and `--rm` removes it afterwards; SIGINT, SIGTERM and SIGHUP are passed on to it. `-d` prints the
container's ID (as Docker Compose v2 does) and leaves it running. Not here yet: a TTY and stdin (the
container's stdin is /dev/null, so `-T`/`-i` change nothing), `--rm` with `-d`, `--build`, `--pull`.
"""

from __future__ import annotations

import contextlib
import signal
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from compose.cli.state import warn
from compose.cli.up_cmd import open_project, progress

if TYPE_CHECKING:
    from collections.abc import Iterator

    from compose.reconcile.world import World

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)

PASS_THROUGH = {"allow_interspersed_args": False, "ignore_unknown_options": True}
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@contextlib.contextmanager
def _forwarding(world: World, container: str) -> Iterator[None]:
    """While attached, a signal to `run` goes to the container (which then ends, and `run` with it)."""
    from pycompose.errors import PycomposeError

    def forward(signum: int, _frame: object) -> None:
        with contextlib.suppress(PycomposeError):
            world.containers.kill(container, signal.Signals(signum).name)

    before = {sig: signal.signal(sig, forward) for sig in FORWARDED}
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


@app.command("run", help="Run a one-off command on a service", context_settings=PASS_THROUGH)
def run(
    ctx: typer.Context,
    service: Annotated[str, typer.Argument(help="The service to run a command on")],
    command: Annotated[list[str] | None, typer.Argument(help="The command and its arguments")] = None,
    rm: Annotated[bool, typer.Option("--rm", help="Automatically remove the container when it exits")] = False,
    detach: Annotated[bool, typer.Option("--detach", "-d", help="Run container in background and print "
                                                                "container ID")] = False,
    name: Annotated[str | None, typer.Option("--name", help="Assign a name to the container")] = None,
    env: Annotated[list[str] | None, typer.Option("--env", "-e", help="Set environment variables")] = None,
    user: Annotated[str | None, typer.Option("--user", "-u", help="Run as specified username or uid")] = None,
    workdir: Annotated[str | None, typer.Option("--workdir", "-w", help="Working directory inside the "
                                                                        "container")] = None,
    entrypoint: Annotated[str | None, typer.Option("--entrypoint", help="Override the entrypoint of the "
                                                                         "image")] = None,
    volume: Annotated[list[str] | None, typer.Option("--volume", "-v", help="Bind mount a volume")] = None,
    publish: Annotated[list[str] | None, typer.Option("--publish", "-p", help="Publish a container's port(s) "
                                                                              "to the host")] = None,
    service_ports: Annotated[bool, typer.Option("--service-ports", "-P", help="Run command with all service's "
                                                                              "ports enabled and mapped to the "
                                                                              "host")] = False,
    use_aliases: Annotated[bool, typer.Option("--use-aliases", help="Use the service's network useAliases in "
                                                                    "the network(s) the container connects to")]
    = False,
    no_deps: Annotated[bool, typer.Option("--no-deps", help="Don't start linked services")] = False,
    label: Annotated[list[str] | None, typer.Option("--label", "-l", help="Add or override a label")] = None,
    remove_orphans: Annotated[bool, typer.Option("--remove-orphans", help="Remove containers for services not "
                                                                          "defined in the Compose file")] = False,
    no_tty: Annotated[bool, typer.Option("--no-TTY", "-T", help="Disable pseudo-TTY allocation (pycompose never "
                                                                "allocates one)")] = False,
    interactive: Annotated[bool, typer.Option("--interactive", "-i", help="Keep STDIN open (not there yet: "
                                                                          "stdin is /dev/null)")] = False,
) -> None:
    from compose.cli.container_cmd import _attach
    from compose.reconcile import dns, oneoff
    from compose.reconcile.errors import NotSupportedYet

    if rm and detach:
        raise NotSupportedYet("run --rm with --detach is not supported yet", hint="run without -d, or `down` later")
    request = oneoff.RunRequest(
        service, command=tuple(command or ()), entrypoint=entrypoint, env=tuple(env or ()), user=user,
        workdir=workdir, name=name, labels=dict(item.partition("=")[::2] for item in label or ()),
        volumes=tuple(volume or ()), publish=tuple(publish or ()), service_ports=service_ports,
        use_aliases=use_aliases, no_deps=no_deps, remove_orphans=remove_orphans)
    loaded, project, world = open_project(ctx)
    record = None
    code = 0
    try:
        record = oneoff.prepare(world, project, request, config_files=loaded.files, environ=loaded.environ,
                                progress=progress, warn=warn)
        world.containers.start(record.id)
        if detach:
            sys.stdout.write(record.id + "\n")
            return
        with _forwarding(world, record.id):
            code = _attach(world.containers, record)
    finally:
        if rm and record is not None:
            oneoff.remove(world, record.id)
            world.containers.stop_supervisor_if_idle()  # as `down`: nothing left, nothing running
        if not detach or record is None:
            dns.stop_if_idle(world)
    raise typer.Exit(code)
