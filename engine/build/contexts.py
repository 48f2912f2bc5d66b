"""Named build contexts (`--build-context name=value`, Compose's `build.additional_contexts`).

A named context is a directory or an image (`docker-image://busybox:1.36`). Its name
is used where a stage's or an image's name would be, and takes their place, as
BuildKit has it: `FROM name` builds on it (a directory becomes the stage's root
filesystem), `COPY --from=name` copies from it, `RUN --mount=from=name` mounts it.
A stage of the same name is replaced by the context. Remote contexts (Git, HTTP,
`oci-layout://`) are refused by name: nothing is fetched from outside in a build.

    named = parse({"assets": "/src/web/dist", "base": "docker-image://busybox:stable"})
    named["base"].image        # "busybox:stable"
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from engine.build.errors import ContextError

IMAGE = "docker-image://"


@dataclass(frozen=True)
class NamedContext:
    """An additional context: a directory or an image."""

    name: str
    image: str | None = None       # docker-image://<image>
    directory: str | None = None   # an absolute directory


def parse(contexts: Mapping[str, str], base: str = ".") -> dict[str, NamedContext]:
    """`{name: value}` as named contexts (keyed by their lower-cased name); a relative directory is under `base`."""
    out: dict[str, NamedContext] = {}
    for name, value in contexts.items():
        if not name or any(c.isspace() for c in name):
            raise ContextError(f"build context {name!r}: a name is needed, without spaces")
        if value.startswith(IMAGE):
            reference = value.removeprefix(IMAGE)
            if not reference:
                raise ContextError(f"build context `{name}`: {value}: no image named after docker-image://")
            out[name.lower()] = NamedContext(name, image=reference)
        elif "://" in value or value.startswith("git@"):
            raise ContextError(f"build context `{name}`: {value}: only a directory or docker-image://<image> can "
                               "be a named context here (nothing is fetched from outside during a build)")
        else:
            directory = os.path.abspath(os.path.join(base, value))
            if not os.path.isdir(directory):
                raise ContextError(f"build context `{name}`: {directory} is not a directory")
            out[name.lower()] = NamedContext(name, directory=directory)
    return out
