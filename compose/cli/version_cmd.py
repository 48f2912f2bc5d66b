"""`pycompose version`: `pycompose version v0.1.0`, `--short` the number alone, `--format json` an object,
`--format TEMPLATE` a Go template over that object (`{{.version}}`).

The number is the package's (`pycompose.__version__`), the one the `com.docker.compose.version`
label of every container carries.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)


@app.command("version", help="Show the pycompose version information")
def version(
    short: Annotated[bool, typer.Option("--short", help="Shows only the version number")] = False,
    format: Annotated[str, typer.Option("--format", "-f", help="Format the output. Values: [pretty | json | "  # noqa: A002
                                                                "TEMPLATE]")] = "pretty",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Execute command in dry run mode")] = False,
) -> None:
    from pycompose import __version__

    info = {"version": f"v{__version__}"}
    if short:
        sys.stdout.write(__version__ + "\n")
    elif format.lower() == "json":
        sys.stdout.write(json.dumps(info, separators=(",", ":")) + "\n")
    elif format.lower() in ("pretty", ""):
        sys.stdout.write(f"pycompose version v{__version__}\n")
    else:
        from compose.cli.formatting import inspect

        text, failed = inspect([info], format)
        sys.stdout.write(text)
        if failed:
            raise failed
