"""`pycompose`: Docker Compose's commands at the top level, global flags before the command.

This module owns the one place errors are caught: a `PycomposeError` prints its
message (and hint) on stderr and exits with its code; anything else is a bug and
shows its traceback. `--debug` shows the traceback of every error.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from compose.cli import config_cmd
from compose.cli.state import GlobalOptions

app = typer.Typer(
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
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors")] = False,
) -> None:
    ctx.obj = GlobalOptions(
        files=tuple(file or ()), project_name=project_name, project_directory=project_directory,
        env_files=tuple(env_file or ()), profiles=tuple(profile or ()), debug=debug,
    )


config_cmd.register(app)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `pycompose` executable."""
    from pycompose.errors import PycomposeError

    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args or os.environ.get("PYCOMPOSE_DEBUG") == "1"
    try:
        app(args=args, prog_name="pycompose", standalone_mode=False)
    except PycomposeError as error:
        if debug:
            raise
        sys.stderr.write(f"{error.message}\n")
        if error.hint:
            sys.stderr.write(f"hint: {error.hint}\n")
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    except _click_exceptions() as error:
        error.show()
        sys.exit(error.exit_code)
    except BrokenPipeError:
        sys.exit(0)


def _click_exceptions() -> tuple[type[BaseException], ...]:
    import click

    return (click.ClickException,)


if __name__ == "__main__":
    main()
