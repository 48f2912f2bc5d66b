"""`pycompose run`: a one-off command on a service, in a new container (compose.reconcile.oneoff).

Its dependencies are brought up first (progress on stderr, as `up` prints it) unless `--no-deps`.
Attached (the default) `run` attaches to the container before it starts it (compose.cli.interactive), relays
until it exits, exits with its code, and `--rm` removes it afterwards. As Docker Compose's: a pty is allocated
when our stdout is a terminal (`-T` never, `-t` always), unless neither `-T` nor `-i` was given and our stdin
is not a terminal; stdin is kept open and ours streamed to it (`-i`, on by default; `--no-interactive`
off); without a pty, the signals `run` receives are passed on. Ctrl-P Ctrl-Q leaves it running. `-d` prints
the container's ID (as Docker Compose v2 does) and leaves it running. Not here yet: `--rm` with `-d`,
`--build`, `--pull`.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from compose.cli.state import warn
from compose.cli.up_cmd import open_project, progress

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)

PASS_THROUGH = {"allow_interspersed_args": False, "ignore_unknown_options": True}


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
    no_tty: Annotated[bool | None, typer.Option("--no-TTY", "-T", help="Disable pseudo-TTY allocation (default: "
                                                                       "auto-detected)")] = None,
    tty: Annotated[bool | None, typer.Option("--tty", "-t", hidden=True, help="Allocate a pseudo-TTY")] = None,
    interactive: Annotated[bool | None, typer.Option("--interactive/--no-interactive", "-i",
                                                     help="Keep STDIN open even if not attached")] = None,
) -> None:
    from compose.cli import interactive as sessions
    from compose.cli.terminal import TerminalError, check_tty, window_size
    from compose.reconcile import dns, oneoff
    from engine.state import NoSuchContainer

    if tty and no_tty:
        raise TerminalError("--tty and --no-TTY can't be used together")
    pty = wants_tty(tty, no_tty, interactive)
    stdin = interactive is not False
    if not detach:
        check_tty(stdin, pty)
    request = oneoff.RunRequest(
        service, command=tuple(command or ()), entrypoint=entrypoint, env=tuple(env or ()), user=user,
        workdir=workdir, name=name, labels=dict(item.partition("=")[::2] for item in label or ()),
        volumes=tuple(volume or ()), publish=tuple(publish or ()), service_ports=service_ports,
        use_aliases=use_aliases, no_deps=no_deps, remove_orphans=remove_orphans, tty=pty, interactive=stdin,
        attached=not detach, console_size=window_size() if pty else None, remove_on_exit=rm and detach)
    loaded, project, world = open_project(ctx)
    record = None
    code: int | None = 0
    try:
        record = oneoff.prepare(world, project, request, config_files=loaded.files, environ=loaded.environ,
                                progress=progress, warn=warn)
        if detach:
            try:
                world.containers.start(record.id)
            except NoSuchContainer:  # --rm: it ran, ended and was removed before start looked at it again
                if not rm:
                    raise
            sys.stdout.write(record.id + "\n")
            code = None  # running on: removed by its supervisor (--rm) once it exits, or by `down`
            return
        code = sessions.attached(world.containers, record, stdin=stdin, proxy=not pty, start=True)
    finally:
        if rm and record is not None and code is not None:
            oneoff.remove(world, record.id)
            world.containers.stop_supervisor_if_idle()  # as `down`: nothing left, nothing running
        if (not detach and code is not None) or record is None:
            dns.stop_if_idle(world)
    if code is None and record is not None:
        sessions.detached_notice(record, removing=rm)
    raise typer.Exit(code or 0)


def wants_tty(tty: bool | None, no_tty: bool | None, interactive: bool | None) -> bool:
    """Docker Compose's choice: -t, else -T, else none when our stdin is no terminal and neither -T nor -i was
    given, else a pty when our stdout is a terminal."""
    import os

    if tty:
        return True
    if no_tty is not None:
        return not no_tty
    if interactive is None and not os.isatty(0):
        return False
    return os.isatty(1)
