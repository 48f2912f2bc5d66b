"""`pycompose attach SERVICE`: our stdin, stdout and stderr joined to a service's running container.

The container is the one `exec` would pick (`--index N`: number N). As Docker Compose's, this is
`docker attach` on it (compose.cli.interactive.attach_running): its output from now on, our keys to
it when it keeps stdin open (`stdin_open: true`; not with `--no-stdin`), raw mode with `tty: true`,
signals passed on without a pty (`--no-sig-proxy`: not), Ctrl-P Ctrl-Q (`--detach-keys`) to leave
it running. Exits with the container's exit code when it ends.
"""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


@app.command("attach", help="Attach local standard input, output, and error streams to a service's running "
                            "container")
def attach(
    ctx: typer.Context,
    service: Annotated[str, typer.Argument(help="The service")],
    index: Annotated[int, typer.Option("--index", help="index of the container if service has multiple "
                                                       "replicas.")] = 0,
    detach_keys: Annotated[str | None, typer.Option("--detach-keys", help="Override the key sequence for "
                                                                          "detaching from a container.")] = None,
    no_stdin: Annotated[bool, typer.Option("--no-stdin", help="Do not attach STDIN")] = False,
    sig_proxy: Annotated[bool, typer.Option("--sig-proxy/--no-sig-proxy", help="Proxy all received signals to "
                                                                               "the process")] = True,
) -> None:
    from compose.cli.exec_cmd import specified
    from compose.cli.interactive import attach_running
    from compose.cli.targets import select

    targets = select(ctx, [service], oneoff=True)
    record = specified(targets.records, service, index)
    raise typer.Exit(attach_running(targets.world.containers, record.id, no_stdin=no_stdin, proxy=sig_proxy,
                                    detach_keys=detach_keys))
