"""A service's `build:` as an engine build: the image `up`, `build` and a pull's fallback make.

The image is named as Docker Compose names it: the service's `image`, else
`<project>-<service>` (compose.plan.resources.image_of), plus every `build.tags`.
`context`, `dockerfile` (relative to the context), `dockerfile_inline`, `args`, `target`,
`labels`, `no_cache`, `pull` and `network` (host or none: no build traffic leaves the
machine otherwise) are honoured; `additional_contexts`, `ssh` and `secrets` are refused by
name (the builder has no such inputs yet); `shm_size`, `extra_hosts`, `platforms` and the
cache import/export keys do not change a build on one host and are accepted.

Builds in one process run one at a time: two services often share a context and a
Dockerfile, and the second then finds the first one's cache entries instead of racing it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from compose.model import Project
from compose.plan.resources import image_of
from compose.reconcile.errors import NotSupportedYet
from compose.reconcile.world import World

_ONE_AT_A_TIME = threading.Lock()


def options_for(project: Project, name: str, *, no_cache: bool = False, pull: bool = False,
                build_args: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    from engine.build.builder import BuildOptions

    service = project.services[name]
    spec = service.build
    if spec is None:
        raise NotSupportedYet(f"service {name} has no build section")
    for key, value in (("additional_contexts", spec.additional_contexts), ("ssh", spec.ssh),
                       ("secrets", spec.secrets)):
        if value:
            raise NotSupportedYet(f"service {name}: build.{key} is not supported by pycompose's builder yet")
    image = image_of(project, service)
    tags = tuple(dict.fromkeys((image, *spec.tags)))
    args = {k: v for k, v in spec.args.items() if v is not None}
    args.update(build_args or {})
    return BuildOptions(context=spec.context, dockerfile=None if spec.dockerfile_inline else spec.dockerfile,
                        dockerfile_text=spec.dockerfile_inline, tags=tags, build_args=args, target=spec.target,
                        no_cache=no_cache or spec.no_cache, pull=pull or spec.pull, labels=dict(spec.labels),
                        network="host" if spec.network == "host" else "none")


def build_service(world: World, project: Project, name: str, *, say: Callable[[str], None],
                  no_cache: bool = False, pull: bool = False, build_args: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """Build service `name`'s image into the world's store; the engine's BuildResult."""
    from engine.build.builder import build

    options = options_for(project, name, no_cache=no_cache, pull=pull, build_args=build_args)
    with _ONE_AT_A_TIME:
        return build(world.containers, options, say=say)
