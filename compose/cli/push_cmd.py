"""`pycompose push`: the images the services build, to their registries (engine.images.push).

As Docker Compose does it, only a service with both `build` and `image` is pushed (its `image`, then
its `build.tags`); any other is ` ✔ web Skipped`. Tags are pushed in parallel; each layer is one line
on stderr when it is done (` ✔ Pushing 127.0.0.1:5000/app:1: 1a2b3c4d5e6f Pushed`). A failure fails the
command unless `--ignore-push-failures` (then it is told as `Pushing web: reason`). `-q` prints
nothing but errors. `--include-deps` adds the named services' dependencies.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from compose.cli.pull_cmd import Progress, selected

if TYPE_CHECKING:
    from compose.model import Project
    from engine.images.images import ImageService

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)

WORDS = {"done": "Pushed", "exists": "Layer already exists", "mounted": "Mounted from another repository"}


def pushes(project: Project, services: list[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """((service, tag) to push, services skipped), as Compose picks them (pure)."""
    work, skipped = [], []
    for name in services:
        service = project.services[name]
        if service.build is None or not service.image:
            skipped.append(name)
            continue
        work += [(name, tag) for tag in dict.fromkeys((service.image, *service.build.tags))]
    return work, skipped


def _push_all(images: ImageService, work: list[tuple[str, str]], say: Progress) -> dict[str, BaseException]:
    from engine.images.push import push_image
    from engine.registry import RegistryClient
    from engine.registry.progress import Progress as Event

    def one(tag: str) -> None:
        def show(event: Event) -> None:
            if event.status in WORDS:
                say("✔", f"Pushing {tag}: {event.digest.removeprefix('sha256:')[:12]}", WORDS[event.status])

        with RegistryClient() as client:
            push_image(images, client, tag, progress=show)

    from compose.reconcile.parallel import each

    return each(work, lambda w: one(w[1]), key=lambda w: f"service {w[0]} ({w[1]})")


@app.command("push", help="Push service images")
def push(
    ctx: typer.Context,
    services: Annotated[list[str] | None, typer.Argument(help="Services whose images to push (all when none)")]
    = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Push without printing progress information")]
    = False,
    ignore_push_failures: Annotated[bool, typer.Option("--ignore-push-failures", help="Push what it can and "
                                                       "ignores images with push failures")] = False,
    include_deps: Annotated[bool, typer.Option("--include-deps", help="Also push images of services declared "
                                                                      "as dependencies")] = False,
) -> None:
    from compose.cli.up_cmd import open_project
    from compose.reconcile.errors import ReconcileFailed

    _, project, world = open_project(ctx)
    work, skipped = pushes(project, selected(project, services or (), include_deps))
    say = Progress(quiet)
    for name in skipped:
        say("✔", name, "Skipped")
    failures = _push_all(world.images, work, say)
    if failures and ignore_push_failures:
        for subject, error in sorted(failures.items()):
            sys.stderr.write(f"Pushing {subject.removeprefix('service ')}: {error}\n")
    elif failures:
        raise ReconcileFailed(failures)
