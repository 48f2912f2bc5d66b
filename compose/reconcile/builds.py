"""A service's `build:` as an engine build: the image `up`, `build` and a pull's fallback make.

The image is named as Docker Compose names it: the service's `image`, else
`<project>-<service>` (compose.plan.resources.image_of), plus every `build.tags`.
The attributes, one by one:

    context, dockerfile        the directory read in place; the Dockerfile relative to it (or absolute)
    dockerfile_inline          the Dockerfile's text (then `dockerfile` is not read)
    args, target, labels       --build-arg (an arg without a value is left out), --target, --label
    tags                       more names for the image
    no_cache, pull             as the CLI's --no-cache / --pull (either one asks for it)
    shm_size, extra_hosts      the size of /dev/shm and more /etc/hosts lines in each RUN's container
    network                    host, or none (anything else, `default` too: no build traffic leaves the machine)
    additional_contexts        named contexts: a directory, or docker-image://<image> (engine.build.contexts)

`ssh`, `secrets` and an additional context `service:<name>` are refused by name (the
builder takes no secrets; a context built from another service is not wired yet);
`platforms`, `cache_from`, `cache_to`, `isolation` and `privileged` do not change a
build on one host, with no registry cache, and are accepted.

Builds in one process run one at a time: two services often share a context and a
Dockerfile, and the second then finds the first one's cache entries instead of racing it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

from compose.model import Project
from compose.model.service import host_entries
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
    for key, value in (("ssh", spec.ssh), ("secrets", spec.secrets)):
        if value:
            raise NotSupportedYet(f"service {name}: build.{key} is not supported by pycompose's builder yet")
    for context, value in spec.additional_contexts.items():
        if value.startswith("service:") or os.path.basename(value).startswith("service:"):
            raise NotSupportedYet(f"service {name}: build.additional_contexts.{context}: a context built from "
                                  "another service is not supported yet", hint="name its image with "
                                  "docker-image://<image> and build that service first")
    image = image_of(project, service)
    tags = tuple(dict.fromkeys((image, *spec.tags)))
    args = {k: v for k, v in spec.args.items() if v is not None}
    args.update(build_args or {})
    return BuildOptions(context=spec.context, dockerfile=None if spec.dockerfile_inline else spec.dockerfile,
                        dockerfile_text=spec.dockerfile_inline, tags=tags, build_args=args, target=spec.target,
                        no_cache=no_cache or spec.no_cache, pull=pull or spec.pull, labels=dict(spec.labels),
                        network="host" if spec.network == "host" else "none",
                        contexts=dict(spec.additional_contexts), shm_size=spec.shm_size,
                        extra_hosts=host_entries(spec.extra_hosts))


def build_service(world: World, project: Project, name: str, *, say: Callable[[str], None],
                  no_cache: bool = False, pull: bool = False, build_args: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """Build service `name`'s image into the world's store; the engine's BuildResult."""
    from engine.build.builder import build

    options = options_for(project, name, no_cache=no_cache, pull=pull, build_args=build_args)
    with _ONE_AT_A_TIME:
        return build(world.containers, options, say=say)
