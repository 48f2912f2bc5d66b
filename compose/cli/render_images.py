"""How the image commands print: Docker's tables, sizes, ages and JSON shapes.

Tables are laid out as Docker's tabwriter lays them out (each column as wide as its
widest cell plus 3 spaces, at least 10; the last column unpadded). Sizes are
decimal with 3 significant digits (`4.26MB`), ages are Docker's (`2 weeks ago`).
`--format` templates see the fields docker/cli's imageContext and historyContext have.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from compose.cli.tables import tabwriter
from pycompose.units import human_size

if TYPE_CHECKING:
    from engine.images.images import Image

NONE = "<none>"


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    return tabwriter([list(header), *(list(r) for r in rows)], min_width=10, trim=True)


def human_duration(seconds: float) -> str:
    """Docker's HumanDuration (go-units)."""
    s = int(seconds)
    if s < 1:
        return "Less than a second"
    if s == 1:
        return "1 second"
    if s < 60:
        return f"{s} seconds"
    minutes = s // 60
    if minutes == 1:
        return "About a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    hours = round(s / 3600)
    if hours == 1:
        return "About an hour"
    if hours < 48:
        return f"{hours} hours"
    for unit, span, limit in (("days", 24, 7 * 24 * 2), ("weeks", 24 * 7, 24 * 30 * 2),
                              ("months", 24 * 30, 24 * 365 * 2)):
        if hours < limit:
            return f"{hours // span} {unit}"
    return f"{hours // (24 * 365)} years"


def parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    base, _, frac = text.rstrip("Z").partition(".")
    try:
        when = datetime.strptime(base[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None
    return when.replace(microsecond=int((frac.rstrip("Z")[:6] or "0").ljust(6, "0"))) if frac.isdigit() else when


def since(text: str | None, now: datetime | None = None) -> str:
    when = parse_time(text)
    if when is None:
        return "N/A"
    return human_duration(((now or datetime.now(UTC)) - when).total_seconds()) + " ago"


def short_id(image_id: str) -> str:
    return image_id.removeprefix("sha256:")[:12]


def size_of(image: Image) -> int:
    return image.size


def rows_of(images: Iterable[Image]) -> list[dict[str, Any]]:
    """One row per name (an image without a name: one `<none>` row), as `docker images` lists them."""
    from engine.images import names as image_names

    rows = []
    for image in images:
        for name in image.names or (None,):
            repo, tag = image_names.short(name).rsplit(":", 1) if name else (NONE, NONE)
            created = image.config.obj.get("created")
            when = parse_time(created)
            rows.append({"Containers": "N/A", "CreatedAt": when.strftime("%Y-%m-%d %H:%M:%S +0000 UTC") if when
                         else "", "CreatedSince": since(created), "Digest": NONE, "ID": short_id(image.id),
                         "Repository": repo, "SharedSize": "N/A", "Size": human_size(size_of(image)),
                         "Tag": tag, "UniqueSize": "N/A", "VirtualSize": human_size(size_of(image))})
    return rows


def images_table(rows: list[dict[str, Any]]) -> str:
    return table(["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"],
                 [[r["Repository"], r["Tag"], r["ID"], r["CreatedSince"], r["Size"]] for r in rows])


def json_lines(rows: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in rows)


def inspect(image: Image) -> dict[str, Any]:
    """`docker image inspect`'s object for one image."""
    from engine.images import names as image_names

    obj = image.config.obj
    config = image.config.container_config
    tags = [image_names.short(n) for n in image.names]
    digests = sorted({f"{t.rsplit(':', 1)[0]}@{image.manifest.digest}" for t in tags})
    return {
        "Id": image.id,
        "RepoTags": tags,
        "RepoDigests": digests,
        "Parent": "",
        "Comment": _comment(obj),
        "Created": obj.get("created", ""),
        "DockerVersion": "",
        "Author": obj.get("author", ""),
        "Config": {
            "Hostname": "", "Domainname": "", "User": config.get("User", ""),
            "AttachStdin": False, "AttachStdout": False, "AttachStderr": False,
            "ExposedPorts": config.get("ExposedPorts"), "Tty": False, "OpenStdin": False, "StdinOnce": False,
            "Env": config.get("Env"), "Cmd": config.get("Cmd"), "Image": "",
            "Volumes": config.get("Volumes"), "WorkingDir": config.get("WorkingDir", ""),
            "Entrypoint": config.get("Entrypoint"), "OnBuild": None, "Labels": config.get("Labels"),
            **({"StopSignal": config["StopSignal"]} if config.get("StopSignal") else {}),
        },
        "Architecture": obj.get("architecture", ""),
        **({"Variant": obj["variant"]} if obj.get("variant") else {}),
        "Os": obj.get("os", ""),
        "Size": size_of(image),
        "GraphDriver": {"Data": None, "Name": "overlay2"},
        "RootFS": {"Type": (obj.get("rootfs") or {}).get("type", "layers"), "Layers": list(image.diff_ids)},
        "Metadata": {"LastTagTime": "0001-01-01T00:00:00Z"},
    }


def _comment(obj: dict[str, Any]) -> str:
    history = obj.get("history") or []
    return str(history[-1].get("comment", "")) if history else ""


def _history(image: Image) -> list[tuple[dict[str, Any], int]]:
    """The image's history entries with the size of each one's layer, newest first."""
    history = image.config.obj.get("history") or []
    layers = list(image.layer_sizes or (d.size for d in image.manifest.layers))
    sizes: list[int] = []
    for entry in history:
        sizes.append(0 if entry.get("empty_layer") or not layers else layers.pop(0))
    return list(reversed(list(zip(history, sizes, strict=True))))


def _created_by(entry: dict[str, Any], truncate: bool) -> str:
    created_by = str(entry.get("created_by", ""))
    return created_by[:44] + "…" if truncate and len(created_by) > 45 else created_by


def history_rows(image: Image, *, human: bool = True, truncate: bool = True) -> list[list[str]]:
    """`docker history`: newest first; the top entry carries the image ID, the others `<missing>`."""
    rows = []
    for n, (entry, size) in enumerate(_history(image)):
        created = entry.get("created")
        rows.append([(short_id(image.id) if truncate else image.id) if n == 0 else "<missing>",
                     since(created) if human else str(created or ""), _created_by(entry, truncate),
                     human_size(size) if human else str(size), str(entry.get("comment", ""))])
    return rows


def history_table(rows: list[list[str]]) -> str:
    return table(["IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"], rows)


# -- templates (`--format`): the fields of docker/cli's imageContext and historyContext -----------------

IMAGE_HEADERS = {"ID": "IMAGE ID", "Repository": "REPOSITORY", "Tag": "TAG", "Digest": "DIGEST",
                 "CreatedSince": "CREATED", "CreatedAt": "CREATED AT", "Size": "SIZE", "Containers": "CONTAINERS",
                 "VirtualSize": "SIZE", "SharedSize": "SHARED SIZE", "UniqueSize": "UNIQUE SIZE"}
IMAGE_RAW = ("repository: {{ .Repository }}\ntag: {{.Tag}}\nimage_id: {{.ID}}\ncreated_at: {{.CreatedAt}}\n"
             "virtual_size: {{.Size}}\n")
HISTORY_HEADERS = {"ID": "IMAGE", "CreatedSince": "CREATED", "CreatedAt": "CREATED AT", "CreatedBy": "CREATED BY",
                   "Size": "SIZE", "Comment": "COMMENT"}


def typed_maps(obj: dict[str, Any]) -> dict[str, Any]:
    """An inspect object whose label map is Go's map[string]string (null: a nil one), as Docker's templates
    read it: `index .Config.Labels "x"` is "" when there is no such label."""
    from compose.cli.gotemplate import NilStringMap, StringMap

    config = obj.get("Config") or {}
    labels = config.get("Labels")
    return {**obj, "Config": {**config, "Labels": StringMap(labels) if labels else NilStringMap()}}


def formatted_images(rows: list[dict[str, Any]], fmt: str, quiet: bool) -> str:
    """`docker images --format`: `raw` (its ID alone with -q) or a template over each row's fields."""
    from compose.cli.formatting import render
    from compose.cli.gotemplate import Record

    if fmt == "raw":
        fmt = "image_id: {{.ID}}" if quiet else IMAGE_RAW
    return render([Record("*formatter.imageContext", row) for row in rows], fmt, IMAGE_HEADERS)


def history_fields(image: Image, *, human: bool = True, truncate: bool = True) -> list[dict[str, str]]:
    """The fields `docker history --format` gives a template, one dict per entry, newest first."""
    rows = []
    for n, (entry, size) in enumerate(_history(image)):
        created = parse_time(entry.get("created")) or datetime.fromtimestamp(0, UTC)
        created_at = created.replace(microsecond=0).astimezone().isoformat().replace("+00:00", "Z")
        rows.append({"ID": (short_id(image.id) if truncate else image.id) if n == 0 else "<missing>",
                     "CreatedSince": since(entry.get("created")) if human else created_at,
                     "CreatedAt": created_at, "CreatedBy": _created_by(entry, truncate).replace("\t", " "),
                     "Size": human_size(size) if human else str(size), "Comment": str(entry.get("comment", ""))})
    return rows


def formatted_history(image: Image, fmt: str, *, human: bool, truncate: bool) -> str:
    from compose.cli.formatting import render
    from compose.cli.gotemplate import Record

    rows = history_fields(image, human=human, truncate=truncate)
    return render([Record("*image.historyContext", row) for row in rows], fmt, HISTORY_HEADERS)
