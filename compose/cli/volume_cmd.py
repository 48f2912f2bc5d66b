"""`pycompose volume ...`: Docker's volume commands over the engine's volume service.

Output has Docker's shapes: the `ls` table (DRIVER, VOLUME NAME), the name from `create` and
`rm`, `inspect`'s JSON array (CreatedAt, Driver, Labels, Mountpoint, Name, Options, Scope), and
`prune`'s "Deleted Volumes:" list with the space reclaimed.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from engine.volumes import VolumeService

app = typer.Typer(name="volume", help="Manage volumes", add_completion=False, pretty_exceptions_enable=False,
                  rich_markup_mode=None, no_args_is_help=True)

PRUNE_WARNING = "WARNING! This will remove anonymous local volumes not used by at least one container.\n"
PRUNE_ALL_WARNING = "WARNING! This will remove all local volumes not used by at least one container.\n"


def service() -> VolumeService:
    from engine.roots import roots
    from engine.volumes import VolumeService

    return VolumeService(roots())


def out(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def _pairs(items: list[str] | None) -> dict[str, str]:
    return dict(item.partition("=")[::2] for item in items or ())


@app.command("ls", help="List volumes")
@app.command("list", hidden=True)
def ls(quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only display volume names")] = False) -> None:
    volumes = service().list()
    if quiet:
        out("".join(f"{v.name}\n" for v in volumes))
        return
    rows = [("DRIVER", "VOLUME NAME"), *((v.driver, v.name) for v in volumes)]
    width = max(10, max(len(r[0]) for r in rows) + 3)  # Docker's tabwriter: min width 10, padding 3
    out("".join(f"{d.ljust(width)}{n}\n" for d, n in rows))


@app.command("create", help="Create a volume")
def create(
    name: Annotated[str | None, typer.Argument(help="The volume's name (a random one when left out)")] = None,
    driver: Annotated[str, typer.Option("--driver", "-d", help="Specify volume driver name")] = "local",
    label: Annotated[list[str] | None, typer.Option("--label", help="Set metadata for a volume")] = None,
    opt: Annotated[list[str] | None, typer.Option("--opt", "-o", help="Set driver specific options")] = None,
) -> None:
    volume = service().create(name, driver=driver, options=_pairs(opt), labels=_pairs(label))
    out(volume.name + "\n")


@app.command("inspect", help="Display detailed information on one or more volumes")
def inspect(names: Annotated[list[str], typer.Argument(help="Volumes")]) -> None:
    volumes = service()
    out(json.dumps([volumes.get(n).to_json() for n in names], indent=4) + "\n")


@app.command("rm", help="Remove one or more volumes")
@app.command("remove", hidden=True)
def rm(names: Annotated[list[str], typer.Argument(help="Volumes")],
       force: Annotated[bool, typer.Option("--force", "-f", help="Do not fail on a missing volume")] = False) -> None:
    volumes = service()
    for name in names:
        out(volumes.remove(name, force=force) + "\n")


@app.command("prune", help="Remove unused local volumes")
def prune(
    all: Annotated[bool, typer.Option("--all", "-a", help="Remove all unused volumes, not just "  # noqa: A002
                                                          "anonymous ones")] = False,
    force: Annotated[bool, typer.Option("--force", "-f", help="Do not prompt for confirmation")] = False,
    filters: Annotated[list[str] | None, typer.Option("--filter", help="Provide filter values (label=...)")] = None,
) -> None:
    labels = [f.partition("=")[2] for f in filters or () if f.startswith("label=")]
    if not force:
        sys.stderr.write(PRUNE_ALL_WARNING if all else PRUNE_WARNING)
        if not typer.confirm("Are you sure you want to continue?", default=False):
            return
    removed = service().prune(all=all, labels=labels)
    if removed:
        out("Deleted Volumes:\n" + "".join(f"{n}\n" for n in removed) + "\n")
    out("Total reclaimed space: 0B\n")
