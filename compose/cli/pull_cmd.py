"""`pycompose pull`: the services' images from their registries, in parallel (engine.images.pull).

As Docker Compose decides it (`choose`, pure): a service without `image` is skipped ("No image to be
pulled"), so is one whose pull policy is `never` or `build`, one whose policy is `missing` and whose
image, tagged other than `latest`, is here already (with no policy at all, pull refreshes the image),
one with `build` under `--ignore-buildable`, and one whose image another service pulls. `--policy`
replaces every service's policy; named services are pulled without their dependencies unless
`--include-deps`.

Progress goes to stderr as Compose draws it, one line per service when it is done:
` ✔ web Pulled`, ` ✔ db Skipped - No image to be pulled`, ` ✘ api Error`; a service that can be
built is marked ` ! api Warning` and named in a hint to build it. A failure fails the command (naming
each failed service and why), as Compose's does, unless `--ignore-pull-failures` (then each is a
warning). `-q` prints nothing but errors.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from compose.model import Project
    from engine.images.images import ImageService

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)

POLICIES = ("missing", "always")


def present(images: ImageService, ref: str) -> bool:
    from engine.images.errors import ImageNotFound

    try:
        images.get(ref)
    except ImageNotFound:
        return False
    return True


@dataclass(frozen=True)
class Choice:
    """Which image a service's pull takes, and whether it may fail."""

    service: str
    image: str | None   # the image to pull; None when skipped
    text: str = ""      # why it is skipped


def selected(project: Project, services: Iterable[str], include_deps: bool) -> list[str]:
    """The services named (all when none are), with their dependencies when asked, in the project's order."""
    from compose import graph as G

    graph = G.select(G.service_graph(project), list(services), with_dependencies=include_deps)
    return [name for name in project.services if name in graph]


def choose(project: Project, services: Iterable[str], present: Callable[[str], bool], *,
           policy: str | None = None, ignore_buildable: bool = False) -> list[Choice]:
    """What `pull` does for each service (pure but for `present`, which asks the image store)."""
    from engine.reference import parse_reference

    out: list[Choice] = []
    pulled_by: dict[str, str] = {}
    for name in services:
        service = project.services[name]
        image = service.image
        how = (policy or service.pull_policy or "").replace("if_not_present", "missing")  # unset: pull
        if not image:
            out.append(Choice(name, None, "Skipped - No image to be pulled"))
        elif how in ("never", "build"):
            out.append(Choice(name, None, "Skipped"))
        elif how == "missing" and parse_reference(image).tag not in (None, "latest") and present(image):
            out.append(Choice(name, None, "Skipped - Image is already present locally"))
        elif service.build is not None and ignore_buildable:
            out.append(Choice(name, None, "Skipped - Image can be built"))
        elif image in pulled_by:
            out.append(Choice(name, None, f"Skipped - Image is already being pulled by {pulled_by[image]}"))
        else:
            pulled_by[image] = name
            out.append(Choice(name, image))
    return out


class Progress:
    """Compose's progress lines on stderr (` ✔ web Pulled`), from several threads; none with `-q`."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.lock = threading.Lock()

    def __call__(self, mark: str, subject: str, text: str) -> None:
        if not self.quiet:
            with self.lock:
                sys.stderr.write(f" {mark} {subject} {text}\n")
                sys.stderr.flush()


def _pull_all(project: Project, images: ImageService, work: list[Choice], say: Progress) -> dict[str, BaseException]:
    """Pull each chosen image, several at once; the failures by service."""
    from engine.images.pull import pull_image
    from engine.registry import RegistryClient

    def one(choice: Choice) -> None:
        service = project.services[choice.service]
        try:
            with RegistryClient() as client:
                pull_image(images, client, choice.image or "", platform=service.platform)
        except Exception:
            buildable = service.build is not None
            say("!" if buildable else "✘", choice.service, "Warning" if buildable else "Error")
            raise
        say("✔", choice.service, "Pulled")

    from compose.reconcile.parallel import each

    return each(work, one, key=lambda choice: choice.service)


@app.command("pull", help="Pull service images")
def pull(
    ctx: typer.Context,
    services: Annotated[list[str] | None, typer.Argument(help="Services whose images to pull (all when none)")]
    = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Pull without printing progress information")]
    = False,
    ignore_pull_failures: Annotated[bool, typer.Option("--ignore-pull-failures", help="Pull what it can and "
                                                       "ignores images with pull failures")] = False,
    ignore_buildable: Annotated[bool, typer.Option("--ignore-buildable", help="Ignore images that can be "
                                                                              "built")] = False,
    include_deps: Annotated[bool, typer.Option("--include-deps", help="Also pull services declared as "
                                                                      "dependencies")] = False,
    policy: Annotated[str | None, typer.Option("--policy", help='Apply pull policy ("missing"|"always")')] = None,
) -> None:
    from compose.cli.state import warn
    from compose.cli.up_cmd import open_project
    from compose.reconcile.errors import ReconcileFailed
    from pycompose.errors import InvalidArgument

    if policy is not None and policy not in POLICIES:
        raise InvalidArgument(f"invalid --policy option {policy!r}: use missing or always")
    _, project, world = open_project(ctx)
    choices = choose(project, selected(project, services or (), include_deps), lambda ref: present(world.images, ref),
                     policy=policy, ignore_buildable=ignore_buildable)
    say = Progress(quiet)
    for choice in choices:
        if choice.image is None:
            say("✔", choice.service, choice.text)
    failures = _pull_all(project, world.images, [c for c in choices if c.image is not None], say)
    buildable = [name for name in failures if project.services[name].build is not None]
    if buildable and not quiet:
        sys.stderr.write("WARNING: Some service image(s) must be built from source by running:\n"
                         f"    pycompose build {' '.join(buildable)}\n")
    fatal = {f"service {name}": error for name, error in failures.items()}
    if fatal and ignore_pull_failures:
        for subject, error in sorted(fatal.items()):
            warn(f"{subject}: {error}")
    elif fatal:
        raise ReconcileFailed(fatal)
