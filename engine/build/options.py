"""What a build is asked to do (`BuildOptions`) and what it made (`BuildResult`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from engine.images.images import Image


@dataclass(frozen=True)
class BuildOptions:
    """What `build` is asked: context, Dockerfile, tags, args, target, cache."""

    context: str
    dockerfile: str | None = None          # a path (absolute, or relative to the context); None: Dockerfile
    dockerfile_text: str | None = None     # the Dockerfile itself (compose's dockerfile_inline)
    tags: tuple[str, ...] = ()
    build_args: Mapping[str, str] = field(default_factory=dict)
    target: str | None = None
    no_cache: bool = False
    pull: bool = False
    labels: Mapping[str, str] = field(default_factory=dict)
    network: str = "none"                  # none, or host ("default" is none: no traffic leaves in a build)
    contexts: Mapping[str, str] = field(default_factory=dict)  # named contexts: a directory or docker-image://ref
    shm_size: int | None = None            # bytes of /dev/shm in each RUN's container (None: the engine's 64 MiB)
    extra_hosts: tuple[tuple[str, str], ...] = ()  # (name, address) lines added to each RUN's /etc/hosts


@dataclass(frozen=True)
class BuildResult:
    """What a build made: the image and its tags."""

    image: Image
    tags: tuple[str, ...]
    steps: int
    cached: int
    warnings: tuple[str, ...] = ()
