"""`pycompose`: Docker Compose's commands at the top level, global flags before the command.

A command lives in its own module, `compose/cli/<name>_cmd.py` (dashes in the name
become underscores), which exposes `app`, a `typer.Typer` holding that one command
or a group of them (`image`, `network`...). Only the module of the command being
run is imported and turned into a click command, so a command's start-up does not
grow with the number of commands.

This module owns the one place errors are caught: a `PycomposeError` prints its
message (and hint) on stderr and exits with its code; anything else is a bug and
shows its traceback. `--debug` shows the traceback of every error.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
import typer.core

from compose.cli.state import GlobalOptions, switch

COMMANDS_DIR = Path(__file__).resolve().parent
# Click commands made from the typer apps, once per process ("" is the top level, "image ls" a command in a
# group): making one costs up to 25 ms, which a warm server (compose.cli.warm_server) pays before it forks.
_made: dict[str, typer.core._click.Command] = {}


def _once(key: str, make: Callable[[], typer.core._click.Command]) -> typer.core._click.Command:
    if key not in _made:
        _made[key] = make()
    return _made[key]


class LazyCommands(typer.core.TyperGroup):
    """The top-level group: finds `<name>_cmd.py` modules, imports one only when its command runs."""

    def list_commands(self, ctx: typer.Context) -> list[str]:
        return sorted(p.name.removesuffix("_cmd.py").replace("_", "-") for p in COMMANDS_DIR.glob("*_cmd.py"))

    def get_command(self, ctx: typer.Context, cmd_name: str) -> typer.core._click.Command | None:
        module = cmd_name.replace("-", "_")
        if not module.isidentifier() or not (COMMANDS_DIR / f"{module}_cmd.py").is_file():
            return None
        return _once(cmd_name, lambda: self._make(cmd_name, importlib.import_module(f"compose.cli.{module}_cmd").app))

    @staticmethod
    def _make(name: str, app: typer.Typer) -> typer.core._click.Command:
        grouped = len(app.registered_commands) > 1 and app.registered_callback is None and not app.registered_groups
        command = LazyGroup(app, name) if grouped else typer.main.get_command(app)
        command.name = name
        return command


class LazyGroup(typer.core.TyperGroup):
    """A group of commands (`container`, `image`, `network`...) whose commands become click commands only when
    asked for: typer would convert all of them first (~25 ms for `container`'s, run and create having some
    sixty options each), and a command runs only one. Uses typer's own converters (typer.main, pinned below
    0.29 in pyproject.toml)."""

    def __init__(self, app: typer.Typer, name: str):
        info = typer.main.solve_typer_info_defaults(typer.models.TyperInfo(app))
        super().__init__(name=name, commands={}, help=info.help, no_args_is_help=info.no_args_is_help,
                         context_settings=info.context_settings, rich_markup_mode=None)
        self.app = app

    def _infos(self) -> dict[str, typer.models.CommandInfo]:
        return {info.name or typer.main.get_command_name(info.callback.__name__): info  # type: ignore[union-attr]
                for info in self.app.registered_commands}

    def list_commands(self, ctx: typer.Context) -> list[str]:
        return sorted(name for name, info in self._infos().items() if not info.hidden)

    def get_command(self, ctx: typer.Context, cmd_name: str) -> typer.core._click.Command | None:
        info = self._infos().get(cmd_name)
        if info is None:
            return None
        return _once(f"{self.name} {cmd_name}", lambda: typer.main.get_command_from_info(
            info, pretty_exceptions_short=self.app.pretty_exceptions_short, rich_markup_mode=None))


app = typer.Typer(
    cls=LazyCommands,
    name="pycompose",
    help="Define and run multi-container applications, on pycompose's own engine.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def global_options(
    ctx: typer.Context,
    file: Annotated[list[str] | None, typer.Option("--file", "-f", help="Compose configuration files")] = None,
    project_name: Annotated[str | None, typer.Option("--project-name", "-p", help="Project name")] = None,
    project_directory: Annotated[Path | None, typer.Option(
        "--project-directory", help="Alternate working directory (default: the first compose file's folder)")] = None,
    env_file: Annotated[list[str] | None, typer.Option("--env-file", help="Alternate environment files")] = None,
    profile: Annotated[list[str] | None, typer.Option("--profile", help="Profiles to enable")] = None,
    ansi: Annotated[str | None, typer.Option(
        "--ansi", help='Control when to print ANSI control characters ("never"|"always"|"auto")')] = None,
    progress: Annotated[str | None, typer.Option(
        "--progress", help="Set type of progress output (auto, tty, plain, json, quiet)")] = None,
    parallel: Annotated[int | None, typer.Option(
        "--parallel", help="Control max parallelism, -1 for unlimited")] = None,
    all_resources: Annotated[bool, typer.Option(
        "--all-resources", help="Include all resources, even those not used by services")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Execute command in dry run mode")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors")] = False,
) -> None:
    from compose.cli import output
    from compose.reconcile import parallel as limits

    ansi = ansi or os.environ.get("COMPOSE_ANSI") or "auto"
    progress = progress or os.environ.get("COMPOSE_PROGRESS") or "auto"
    if ansi not in output.ANSI_MODES:
        raise typer.BadParameter(f"invalid --ansi {ansi!r}: choose {', '.join(output.ANSI_MODES)}")
    if progress not in output.PROGRESS_MODES:
        raise typer.BadParameter(f"invalid --progress {progress!r}: choose {', '.join(output.PROGRESS_MODES)}")
    output.configure(ansi=ansi, progress=progress, stdout=switch("COMPOSE_STATUS_STDOUT"))
    if parallel is None and os.environ.get("COMPOSE_PARALLEL_LIMIT", "").lstrip("-").isdigit():
        parallel = int(os.environ["COMPOSE_PARALLEL_LIMIT"])
    if parallel is not None and parallel != -1:
        if parallel < 1:
            raise typer.BadParameter(f"invalid --parallel {parallel}: give a positive number, or -1 for unlimited")
        limits.configure(parallel)
    if dry_run and ctx.invoked_subcommand:
        _dry_run(ctx, ctx.invoked_subcommand)
    ctx.obj = GlobalOptions(
        files=tuple(file or ()), project_name=project_name, project_directory=project_directory,
        env_files=tuple(env_file or ()), profiles=tuple(profile or ()), debug=debug, all_resources=all_resources,
    )


READ_ONLY = frozenset({"config", "events", "images", "logs", "ls", "port", "ps", "top", "version"})


def _dry_run(ctx: typer.Context, name: str) -> None:
    """The global --dry-run: the command's own --dry-run on, or, for one that only reads, nothing to do; a command
    that would change things and cannot pretend is refused rather than run for real."""
    command = ctx.command.get_command(ctx, name)  # type: ignore[attr-defined]
    if command is not None and any(p.name == "dry_run" for p in command.params):
        ctx.default_map = {name: {"dry_run": True}}
    elif name not in READ_ONLY:
        from compose.errors import ProjectError

        raise ProjectError(f"--dry-run is not supported by `pycompose {name}`",
                           hint="run it without --dry-run, or dry-run up, down, start, stop, rm...")


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `pycompose` executable.

    click answers usage mistakes itself (usage line, message, exit 2); a
    `PycomposeError` is printed here as its message and hint, with its exit code.
    """
    from pycompose.errors import PycomposeError

    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args or os.environ.get("PYCOMPOSE_DEBUG") == "1"
    try:
        _once("", lambda: typer.main.get_command(app))(args=args, prog_name="pycompose")
    except PycomposeError as error:
        if debug:
            raise
        sys.stderr.write(f"{error.message}\n")
        if error.hint:
            sys.stderr.write(f"hint: {error.hint}\n")
        sys.exit(error.exit_code)
    except BrokenPipeError:
        sys.exit(0)


def make_all_commands() -> None:
    """Every command's click command, made now: what a warm server does before it serves."""
    top = _once("", lambda: typer.main.get_command(app))
    context = typer.Context(top)
    for name in top.list_commands(context):  # type: ignore[attr-defined]
        command = top.get_command(context, name)  # type: ignore[attr-defined]
        if isinstance(command, LazyGroup):
            for sub in command._infos():
                command.get_command(context, sub)


if __name__ == "__main__":
    main()
