"""Image names as Docker normalises them: `busybox` is `docker.io/library/busybox:latest`.

The store keys its index by the normalised name, so `busybox`, `busybox:latest` and
`docker.io/library/busybox:latest` are one image; `short()` gives back what
`docker images` shows.
"""

from __future__ import annotations

from engine.images.errors import BadImage
from engine.reference import InvalidReference, parse_reference


def normalize(ref: str) -> str:
    """`repo[:tag]` -> `domain/path:tag` (tag `latest` when absent). Digests are not names."""
    if "@" in ref:
        raise BadImage(f"`{ref}`: a digest reference names no tag; give `repo:tag`")
    try:
        parsed = parse_reference(ref)
    except InvalidReference:
        raise BadImage(f"`{ref}` is not a valid image name (lowercase `repository[:tag]`)") from None
    return f"{parsed.name}:{parsed.tag}"


def short(name: str) -> str:
    """The familiar form: `docker.io/library/busybox:latest` -> `busybox:latest`."""
    return parse_reference(name).familiar


def tag_of(name: str) -> str:
    return name.rsplit(":", 1)[1]
