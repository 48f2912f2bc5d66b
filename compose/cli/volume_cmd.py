"""`pycompose volume ...`: Docker's volume commands over the engine's volume service.

Output has Docker's shapes: the `ls` table (DRIVER, VOLUME NAME), the name from `create` and
`rm`, `inspect`'s JSON array (CreatedAt, Driver, Labels, Mountpoint, Name, Options, Scope), and
`prune`'s "Deleted Volumes:" list with the space reclaimed. `ls --format` and `inspect --format`
take Docker's json and Go templates (docker/cli's volumeContext fields for `ls`).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from engine.volumes import Volume, VolumeService

app = typer.Typer(name="volume", help="Manage volumes", add_completion=False, pretty_exceptions_enable=False,
                  rich_markup_mode=None, no_args_is_help=True)

PRUNE_WARNING = "WARNING! This will remove anonymous local volumes not used by at least one container.\n"
PRUNE_ALL_WARNING = "WARNING! This will remove all local volumes not used by at least one container.\n"
HEADERS = {"ID": "ID", "Name": "VOLUME NAME", "Group": "GROUP", "Driver": "DRIVER", "Scope": "SCOPE",
           "Availability": "AVAILABILITY", "Mountpoint": "MOUNTPOINT", "Labels": "LABELS", "Links": "LINKS",
           "Size": "SIZE", "Status": "STATUS"}


def service() -> VolumeService:
    from engine.roots import roots
    from engine.volumes import VolumeService

    return VolumeService(roots())


def out(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def _pairs(items: list[str] | None) -> dict[str, str]:
    return dict(item.partition("=")[::2] for item in items or ())


def ls_fields(volume: Volume) -> dict[str, str]:
    """The fields of docker/cli's volumeContext for a local volume (its `--format json` object)."""
    return {"Availability": "N/A", "Driver": volume.driver, "Group": "N/A",
            "Labels": ",".join(f"{k}={v}" for k, v in volume.labels.items()), "Links": "N/A",
            "Mountpoint": volume.mountpoint, "Name": volume.name, "Scope": "local", "Size": "N/A", "Status": "N/A"}


def _formatted(volumes: list[Volume], fmt: str, quiet: bool) -> str:
    from compose.cli.formatting import render
    from compose.cli.gotemplate import Func, Record

    if fmt == "raw":
        fmt = "name: {{.Name}}" if quiet else "name: {{.Name}}\\ndriver: {{.Driver}}\\n"
    return render([Record("*formatter.volumeContext", ls_fields(v),
                          {"Label": Func(lambda name, v=v: v.labels.get(name, ""), ("string",))})
                   for v in volumes], fmt, HEADERS)


@app.command("ls", help="List volumes")
@app.command("list", hidden=True)
def ls(quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only display volume names")] = False,
       format: Annotated[str | None, typer.Option("--format", help="table (default), json, raw, a Go template "  # noqa: A002
                                                                   "or 'table TEMPLATE'")] = None) -> None:
    from compose.cli.formatting import is_template

    volumes = service().list()
    if is_template(format, ("table",)):  # json too: Docker prints it through its template, `{{json .}}`
        out(_formatted(volumes, format or "", quiet))
        return
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
def inspect(names: Annotated[list[str], typer.Argument(help="Volumes")],
            format: Annotated[str | None, typer.Option("--format", "-f", help="json, or a Go template")]  # noqa: A002
            = None) -> None:
    from compose.cli.formatting import inspect as formatted
    from compose.cli.formatting import is_template

    volumes = service()
    objects = [volumes.get(n).to_json() for n in names]
    text, failed = formatted([_typed(o) for o in objects] if is_template(format) else objects, format)
    out(text)
    if failed:
        raise failed


def _typed(obj: dict) -> dict:
    """Labels and Options as Go's map[string]string, which templates read with `index` as Docker's do."""
    from compose.cli.gotemplate import NilStringMap, StringMap

    return {**obj, **{k: StringMap(obj[k]) if obj.get(k) else NilStringMap() for k in ("Labels", "Options")}}


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
