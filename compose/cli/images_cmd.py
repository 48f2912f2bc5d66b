"""`pycompose images`: the images the project's containers use, as `docker compose images` lists them.

Docker Compose v2's shape (v2.40): one row per container, sorted by container name, columns CONTAINER,
REPOSITORY, TAG, PLATFORM, IMAGE ID, SIZE, CREATED, laid out by a tabwriter with cells at least 20 wide;
`--format json` one array of {ID, ContainerName, Repository, Tag, Platform, Size, LastTagTime}; `-q` the
images' ids, once each. The repository and tag are those of the name the container was made from (its first
name when it was made from an id). The engine's image list is `pycompose image ls`.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from engine.images.images import Image
    from engine.state import ContainerRecord

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)

HEADER = ["CONTAINER", "REPOSITORY", "TAG", "PLATFORM", "IMAGE ID", "SIZE", "CREATED"]


@app.command("images", help="List images used by the created containers")
def images(
    ctx: typer.Context,
    services: Annotated[list[str] | None, typer.Argument(help="Only the containers of these services")] = None,
    fmt: Annotated[str, typer.Option("--format", help="Format the output. Values: [table | json]")] = "table",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only display IDs")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Execute command in dry run mode")] = False,
) -> None:
    from compose.cli.targets import select
    from compose.errors import ProjectError
    from engine.images.errors import ImageNotFound

    if fmt not in ("table", "json"):
        raise ProjectError(f"unsupported format type: {fmt}", hint="give --format table or --format json")
    targets = select(ctx, services, oneoff=True)
    rows = []
    for record in sorted(targets.records, key=lambda r: r.name):
        image_id = record.config.launch.get("image_id", "")
        try:
            image = targets.world.images.get(image_id)
        except ImageNotFound:
            continue  # removed since: Compose lists what it can inspect
        rows.append(row(record, image))
    if quiet:
        sys.stdout.write("".join(i.removeprefix("sha256:") + "\n" for i in dict.fromkeys(r["ID"] for r in rows)))
    elif fmt == "json":
        sys.stdout.write(json.dumps(rows, separators=(",", ":")) + "\n\n")
    else:
        sys.stdout.write(table(rows))


def row(record: ContainerRecord, image: Image) -> dict[str, Any]:
    """The container's image, with the fields of Compose's JSON."""
    from engine.images import names

    wanted = _familiar(record.config.launch.get("image", ""))
    name = next((n for n in image.names if _familiar(n) == wanted), None) if wanted else None
    name = name or (image.names[0] if image.names else None)
    repository, tag = names.short(name).rsplit(":", 1) if name else ("<none>", "<none>")
    obj = image.config.obj
    platform = "/".join(p for p in (obj.get("os"), obj.get("architecture"), obj.get("variant")) if p)
    return {"ID": image.id, "ContainerName": record.name, "Repository": repository, "Tag": tag, "Platform": platform,
            "Size": image.size, "LastTagTime": obj.get("created") or "0001-01-01T00:00:00Z"}


def _familiar(reference: str) -> str | None:
    """`busybox` -> `busybox:latest`; None for what is no name (an id)."""
    from engine.images import names

    try:
        return names.short(reference)
    except ValueError:
        return None


def table(rows: list[dict[str, Any]]) -> str:
    from compose.cli.render_images import short_id, since
    from compose.cli.tables import tabwriter
    from pycompose.units import human_size

    cells = [[r["ContainerName"], r["Repository"], r["Tag"], r["Platform"], short_id(r["ID"]), human_size(r["Size"]),
              since(r["LastTagTime"])] for r in rows]
    return tabwriter([HEADER, *cells], min_width=20)
