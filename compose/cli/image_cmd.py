"""`pycompose image ...`: Docker's image commands over the engine's image store and registry client.

Each command parses its flags, calls the engine (`engine.images`, `engine.registry`)
and renders with `render_images`. Progress goes to stderr, results to stdout, so
`pycompose image pull -q x` and `$(pycompose image import f)` can be scripted.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from engine.images.images import Image, ImageService
    from engine.registry.progress import Progress

app = typer.Typer(name="image", help="Manage images", add_completion=False, pretty_exceptions_enable=False,
                  rich_markup_mode=None, no_args_is_help=True)


def service() -> ImageService:
    from engine.images.images import ImageService
    from engine.roots import roots

    return ImageService(roots().state)


def out(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def err(text: str) -> None:
    sys.stderr.write(text)
    sys.stderr.flush()


class LayerProgress:
    """Docker's non-terminal progress: one line per blob and status change, e.g. `a46fbb00284b: Pull complete`."""

    WORDS = {"pull": {"start": "Pulling fs layer", "downloading": "Downloading", "done": "Download complete",
                      "exists": "Already exists"},
             "push": {"start": "Preparing", "uploading": "Pushing", "done": "Pushed",
                      "exists": "Layer already exists", "mounted": "Mounted from another repository"}}

    def __init__(self, kind: str, quiet: bool = False):
        self.words = self.WORDS[kind]
        self.quiet = quiet
        self.said: dict[str, set[str]] = {}
        self.lock = threading.Lock()

    def __call__(self, event: Progress) -> None:
        status = event.status
        if status in ("downloading", "uploading") and event.done == 0:
            status = "start"
        self.say(event.digest, status)

    def say(self, digest: str, status: str) -> None:
        word = self.words.get(status, status)
        with self.lock:
            said = self.said.setdefault(digest, set())
            if word in said or self.quiet:
                return
            said.add(word)
            err(f"{digest.removeprefix('sha256:')[:12]}: {word}\n")


@app.command("pull", help="Download an image from a registry")
def pull(
    name: Annotated[str, typer.Argument(metavar="NAME[:TAG|@DIGEST]")],
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Suppress verbose output")] = False,
    platform: Annotated[str | None, typer.Option("--platform", help="Set platform if server is multi-platform capable")]
    = None,
) -> None:
    from engine.images.pull import pull_image
    from engine.reference import parse_reference
    from engine.registry import RegistryClient

    ref = parse_reference(name)
    progress = LayerProgress("pull", quiet)
    if not quiet:
        if ":" not in name.rpartition("/")[2] and "@" not in name:
            err("Using default tag: latest\n")
        repository = ref.path.removeprefix("library/") if ref.domain == "docker.io" else ref.path
        err(f"{ref.digest or ref.tag}: Pulling from {repository}\n")
    with RegistryClient() as client:
        pulled = pull_image(service(), client, name, platform=platform, progress=progress)
    full = str(ref) if not ref.digest else f"{ref.name}@{ref.digest}"
    if not quiet:
        for layer in pulled.layers:
            progress.say(layer, "Pull complete")
        familiar = ref.familiar
        err(f"Digest: {pulled.digest}\n")
        err(f"Status: {'Downloaded newer image' if pulled.fresh else 'Image is up to date'} for {familiar}\n")
    out(f"{full}\n")


@app.command("build", help="Build an image from a Dockerfile")
def build(  # noqa: PLR0913 - Docker's flags
    context: Annotated[str, typer.Argument(metavar="PATH", help="The build context: a directory")],
    tag: Annotated[list[str] | None, typer.Option("--tag", "-t", help="Name and optionally a tag (name:tag)")]
    = None,
    file: Annotated[str | None, typer.Option("--file", "-f", help="Name of the Dockerfile (default: "
                                                                  "PATH/Dockerfile)")] = None,
    build_arg: Annotated[list[str] | None, typer.Option("--build-arg", help="Set build-time variables")] = None,
    target: Annotated[str | None, typer.Option("--target", help="Set the target build stage to build")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Do not use cache when building the image")] = False,
    pull_: Annotated[bool, typer.Option("--pull", help="Always attempt to pull a newer version of the image")]
    = False,
    label: Annotated[list[str] | None, typer.Option("--label", help="Set metadata for an image")] = None,
    network: Annotated[str, typer.Option("--network", help="Networking mode for the RUN instructions: none or "
                                                           "host")] = "none",
    build_context: Annotated[list[str] | None, typer.Option("--build-context", help="Additional build contexts "
                                                            "(e.g., name=path or name=docker-image://image)")] = None,
    add_host: Annotated[list[str] | None, typer.Option("--add-host", help="Add a custom host-to-IP mapping "
                                                       "(host:ip)")] = None,
    shm_size: Annotated[str | None, typer.Option("--shm-size", help="Size of /dev/shm")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Suppress the build output and print image ID on "
                                                              "success")] = False,
) -> None:
    from compose.cli.build_cmd import image_build_options
    from engine.build.builder import build_with_roots
    from engine.roots import roots

    options = image_build_options(context, file=file, tags=tag, build_args=build_arg, target=target,
                                  no_cache=no_cache, pull=pull_, labels=label, network=network,
                                  contexts=build_context, hosts=add_host, shm_size=shm_size)
    result = build_with_roots(roots(), options, say=(lambda line: None) if quiet else (lambda line: out(line + "\n")))
    if quiet:
        out(f"{result.image.id}\n")


@app.command("push", help="Upload an image to a registry")
def push(
    name: Annotated[str, typer.Argument(metavar="NAME[:TAG]")],
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Suppress verbose output")] = False,
) -> None:
    import contextlib

    from engine.images.push import push_image
    from engine.reference import parse_reference
    from engine.registry import RegistryClient
    from pycompose.errors import PycomposeError

    ref = parse_reference(name)
    progress = LayerProgress("push", quiet)
    if not quiet:
        err(f"The push refers to repository [{ref.name}]\n")
    svc = service()
    if not quiet and not ref.digest:
        with contextlib.suppress(PycomposeError):  # push_image reports a missing image itself
            for layer in svc.get(name).manifest.layers:
                progress.say(layer.digest, "start")
    with RegistryClient() as client:
        pushed = push_image(svc, client, name, progress=progress)
    if quiet:
        out(f"{ref.familiar}\n")
    else:
        out(f"{ref.tag or 'latest'}: digest: {pushed.digest} size: {pushed.size}\n")


@app.command("ls", help="List images")
@app.command("list", hidden=True)
def ls(
    reference: Annotated[str | None, typer.Argument(metavar="[REPOSITORY[:TAG]]")] = None,
    all_: Annotated[bool, typer.Option("--all", "-a", help="Show all images (default hides intermediate images)")]
    = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only show image IDs")] = False,
    no_trunc: Annotated[bool, typer.Option("--no-trunc", help="Don't truncate output")] = False,
    format: Annotated[str | None, typer.Option("--format", help="table (default), json, raw, a Go template or "  # noqa: A002
                                                                 "'table TEMPLATE'")] = None,
    filter_: Annotated[list[str] | None, typer.Option("--filter", "-f", help="Filter output (dangling=true|false)")]
    = None,
) -> None:
    from compose.cli import render_images as render
    from compose.cli.formatting import is_template

    images = service().list()
    rows = render.rows_of(images)
    if no_trunc:
        full = {render.short_id(i.id): i.id for i in images}
        rows = [{**r, "ID": full[r["ID"]]} for r in rows]
    rows = _filtered(rows, reference, filter_ or [])
    if is_template(format):  # a custom format wins over -q, as in Docker
        out(render.formatted_images(rows, format or "", quiet))
    elif quiet:
        out("".join(f"{r['ID']}\n" for r in rows))
    elif format == "json":
        out(render.json_lines(rows))
    else:
        out(render.images_table(rows))


def _filtered(rows: list[dict], reference: str | None, filters: list[str]) -> list[dict]:
    import fnmatch

    from pycompose.errors import InvalidArgument

    if reference:
        repo, _, tag = reference.rpartition(":") if ":" in reference.rpartition("/")[2] else (reference, "", "")
        rows = [r for r in rows if fnmatch.fnmatchcase(r["Repository"], repo) and (not tag or
                                                                                  fnmatch.fnmatchcase(r["Tag"], tag))]
    for f in filters:
        key, _, value = f.partition("=")
        if key != "dangling" or value not in ("true", "false"):
            raise InvalidArgument(f"invalid filter `{f}`: supported is dangling=true|false")
        rows = [r for r in rows if (r["Repository"] == "<none>") == (value == "true")]
    return rows


@app.command("inspect", help="Display detailed information on one or more images")
def inspect(
    names: Annotated[list[str], typer.Argument(metavar="IMAGE...")],
    format: Annotated[str | None, typer.Option("--format", "-f", help="json, or a Go template")]  # noqa: A002
    = None,
) -> None:
    from compose.cli import formatting
    from compose.cli import render_images as render
    from engine.images.errors import ImageNotFound

    svc = service()
    found, missing = [], []
    for name in names:
        try:
            found.append(render.inspect(svc.get(name)))
        except ImageNotFound:
            missing.append(name)
    if formatting.is_template(format):
        found = [render.typed_maps(obj) for obj in found]
    text, failed = formatting.inspect(found, format)
    out(text)
    if failed:
        raise formatting.combined([failed], [f"no such image: {m}" for m in missing])
    if missing:
        raise ImageNotFound("; ".join(f"no such image: {m}" for m in missing))


@app.command("history", help="Show the history of an image")
def history(
    name: Annotated[str, typer.Argument(metavar="IMAGE")],
    human: Annotated[bool, typer.Option("--human", "-H", help="Print sizes and dates in human readable format")]
    = True,
    no_trunc: Annotated[bool, typer.Option("--no-trunc", help="Don't truncate output")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only show image IDs")] = False,
    format: Annotated[str | None, typer.Option("--format", help="table (default), json, a Go template or "  # noqa: A002
                                                                 "'table TEMPLATE'")] = None,
) -> None:
    from compose.cli import render_images as render
    from compose.cli.formatting import is_template

    image = service().get(name)
    if is_template(format) or format == "json":  # Docker's history prints json through its template, `{{json .}}`
        out(render.formatted_history(image, format or "", human=human, truncate=not no_trunc))
        return
    rows = render.history_rows(image, human=human, truncate=not no_trunc)
    out("".join(f"{r[0]}\n" for r in rows) if quiet else render.history_table(rows))


@app.command("tag", help="Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE")
def tag(
    source: Annotated[str, typer.Argument(metavar="SOURCE_IMAGE[:TAG]")],
    target: Annotated[str, typer.Argument(metavar="TARGET_IMAGE[:TAG]")],
) -> None:
    svc = service()
    image = svc.get(source)
    svc.store.tag(target, image.manifest.descriptor())


@app.command("rm", help="Remove one or more images")
@app.command("remove", hidden=True)
def rm(
    names: Annotated[list[str], typer.Argument(metavar="IMAGE...")],
    force: Annotated[bool, typer.Option("--force", "-f", help="Remove even if a stopped container uses it")]
    = False,
) -> None:
    from engine.images.errors import ImageNotFound

    svc = service()
    failures = []
    for name in names:
        try:
            out("".join(_remove(svc, name, force)))
        except ImageNotFound as e:
            failures.append(e)
    if failures:
        raise ImageNotFound("\n".join(e.message for e in failures))


def _remove(svc: ImageService, name: str, force: bool) -> list[str]:
    """Untag `name` (every name, for an ID); delete the image when none is left. Docker's output lines."""
    from engine.images import names as image_names
    from engine.images.errors import BadImage

    image = svc.get(name)
    try:
        full: str | None = image_names.normalize(name)
    except BadImage:
        full = None
    untag = (full,) if full in image.names else image.names
    if full not in image.names and len({n.rsplit(":", 1)[0] for n in untag}) > 1 and not force:
        from engine.images.errors import ImageInUse

        raise ImageInUse(f"cannot remove image `{name}`: it is referenced in multiple repositories "
                         f"({', '.join(image_names.short(n) for n in untag)})",
                         hint="remove it by name, or use --force")
    if set(untag) == set(image.names):
        refuse_if_used(svc, image, name, force=force)
        if force and any(_uses(r, image) for r in _records(svc.root)):
            for n in untag:  # a stopped container still needs it: --force only untags, the image dangles
                svc.store.untag(n)
            svc.store.add_unnamed(image.manifest.descriptor())
            return [f"Untagged: {image_names.short(n)}\n" for n in untag]
    svc.remove(name)
    lines = [f"Untagged: {image_names.short(n)}\n" for n in untag]
    if not any(i.id == image.id for i in svc.list()):
        lines.append(f"Deleted: {image.id}\n")
    return lines


@app.command("prune", help="Remove unused images")
def prune(
    all_: Annotated[bool, typer.Option("--all", "-a", help="Remove all unused images, not just dangling ones")]
    = False,
    force: Annotated[bool, typer.Option("--force", "-f", help="Do not prompt for confirmation")] = False,
) -> None:
    from compose.cli.render_images import size_of
    from pycompose.units import human_size

    if not force:
        what = "all images without at least one container associated to them" if all_ else "all dangling images"
        err(f"WARNING! This will remove {what}.\nAre you sure you want to continue? [y/N] ")
        if sys.stdin.readline().strip().lower() not in ("y", "yes"):
            return
    svc = service()
    used = used_image_ids(svc)
    doomed = [i for i in svc.list() if (all_ or not i.names) and i.id not in used]
    lines, reclaimed = [], 0
    for image in doomed:
        for n in image.names:
            lines.append(f"untagged: {n}\n")
        svc.remove(image.id)
        reclaimed += size_of(image)
        lines.append(f"deleted: {image.id}\n")
    if lines:
        out("Deleted Images:\n" + "".join(lines) + "\n")
    out(f"Total reclaimed space: {human_size(reclaimed)}\n")


@app.command("load", help="Load an image from a tar archive or STDIN")
def load(
    input_: Annotated[Path | None, typer.Option("--input", "-i", help="Read from tar archive file, instead of STDIN")]
    = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Suppress the load output")] = False,
) -> None:
    from engine.images import names as image_names
    from engine.images.archives.docker import load as load_archive
    from engine.images.errors import BadImage

    svc = service()
    if input_ is not None:
        if not input_.is_file():
            raise BadImage(f"load `{input_}`: no such file")
        images = load_archive(svc, input_)
    else:
        if sys.stdin.isatty():
            raise BadImage("requested load from stdin, but stdin is empty", hint="use -i FILE or redirect stdin")
        images = load_archive(svc, sys.stdin.buffer)
    if not quiet:
        for image in images:
            shown = [image_names.short(n) for n in image.names]
            out("".join(f"Loaded image: {s}\n" for s in shown) or f"Loaded image ID: {image.id}\n")


@app.command("save", help="Save one or more images to a tar archive (streamed to STDOUT by default)")
def save(
    names: Annotated[list[str], typer.Argument(metavar="IMAGE...")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to a file, instead of STDOUT")] = None,
) -> None:
    import contextlib
    import os
    import tempfile

    from engine.images.archives.docker import save as save_archive
    from engine.images.errors import BadImage

    svc = service()
    for name in names:
        svc.get(name)  # a missing image fails before anything is written
    if output is None:
        if sys.stdout.isatty():
            raise BadImage("cowardly refusing to save to a terminal", hint="use the -o flag or redirect")
        save_archive(svc, names, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return
    fd, tmp = tempfile.mkstemp(dir=output.resolve().parent, prefix=f".{output.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            save_archive(svc, names, f)
        os.replace(tmp, output)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


@app.command("import", help="Import the contents from a tarball to create a filesystem image")
def import_(
    file: Annotated[str, typer.Argument(metavar="file|-")],
    reference: Annotated[str | None, typer.Argument(metavar="[REPOSITORY[:TAG]]")] = None,
    change: Annotated[list[str] | None, typer.Option("--change", "-c", help="Apply Dockerfile instruction")] = None,
    message: Annotated[str, typer.Option("--message", "-m", help="Set commit message for imported image")] = "",
    platform: Annotated[str | None, typer.Option("--platform", help="Set platform (linux/amd64 only)")] = None,
) -> None:
    from engine.images import names as image_names
    from engine.images.archives.importer import import_rootfs
    from engine.images.errors import BadImage

    if platform and platform not in ("linux/amd64", "linux"):
        raise BadImage(f"import: platform `{platform}` is not supported (linux/amd64 is)")
    if reference is not None:
        image_names.normalize(reference)  # a bad name fails before the tarball is read
    svc = service()
    if file == "-":
        image = import_rootfs(svc, sys.stdin.buffer, reference, message=message, change_list=change or ())
    else:
        if "://" in file:
            raise BadImage(f"import `{file}`: importing from a URL is not supported; download it first")
        try:
            source = open(file, "rb")  # noqa: SIM115 (closed below)
        except OSError as e:
            raise BadImage(f"import `{file}`: {e.strerror or e}") from None
        with source:
            image = import_rootfs(svc, source, reference, message=message, change_list=change or ())
    out(f"{image.id}\n")


def _records(state_root: Path) -> list[dict]:
    """The container records under the state root, as raw JSON (the container store may be absent)."""
    import json

    records = []
    for path in sorted((state_root / "containers").glob("*/record.json")):
        try:
            records.append(json.loads(path.read_text()))
        except (OSError, ValueError):
            continue
    return records


def _image_of(record: dict) -> str:
    """The image a record names: Docker's `Image` (an ID), or `image`/`image_id` in the record or its launch data."""
    config = record.get("config") or {}
    for where in (record, config, config.get("launch") or {}):
        for key in ("image_id", "Image", "image"):
            if isinstance(where.get(key), str) and where[key]:
                return where[key]
    return ""


def _uses(record: dict, image: Image) -> bool:
    from engine.images import names as image_names
    from engine.images.errors import BadImage

    named = _image_of(record)
    if not named:
        return False
    if named.removeprefix("sha256:") == image.id.removeprefix("sha256:"):
        return True
    try:
        return image_names.normalize(named) in image.names
    except BadImage:
        return False


def used_image_ids(svc: ImageService) -> set[str]:
    images = svc.list()
    return {i.id for r in _records(svc.root) for i in images if _uses(r, i)}


def refuse_if_used(svc: ImageService, image: Image, name: str, *, force: bool) -> None:
    """Docker's conflict: an image a container uses is not removed (with --force, unless it runs)."""
    from engine.images.errors import ImageInUse

    for record in _records(svc.root):
        if not _uses(record, image) or (force and record.get("state") not in ("running", "paused", "restarting")):
            continue
        state = "running" if record.get("state") in ("running", "paused", "restarting") else "stopped"
        raise ImageInUse(f"cannot remove image `{name}` ({image.id.removeprefix('sha256:')[:12]}): {state} "
                         f"container `{record.get('name', '')}` ({str(record.get('id', ''))[:12]}) uses it",
                         hint="remove the container first" + ("" if state == "running" else ", or use --force"))
