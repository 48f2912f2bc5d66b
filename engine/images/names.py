"""Image names as Docker normalises them: `busybox` is `docker.io/library/busybox:latest`.

The store keys its index by the normalised name, so `busybox`, `busybox:latest` and
`docker.io/library/busybox:latest` are one image; `short()` gives back what
`docker images` shows.
"""

from __future__ import annotations

import re

from engine.images.errors import BadImage

DEFAULT_DOMAIN = "docker.io"
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_NAME = re.compile(rf"{_COMPONENT}(?:/{_COMPONENT})*")
_TAG = re.compile(r"[\w][\w.-]{0,127}")
_DOMAIN = re.compile(r"(?:[a-zA-Z0-9-]+\.)*[a-zA-Z0-9-]+(?::[0-9]+)?|\[[0-9a-fA-F:]+\](?::[0-9]+)?")


def normalize(ref: str) -> str:
    """`repo[:tag]` -> `domain/path:tag` (tag `latest` when absent). Digests are not names."""
    if "@" in ref:
        raise BadImage(f"`{ref}`: a digest reference names no tag; give `repo:tag`")
    name, tag = ref, "latest"
    slash, colon = ref.rfind("/"), ref.rfind(":")
    if colon > slash:
        name, tag = ref[:colon], ref[colon + 1:]
    first, _, rest = name.partition("/")
    if rest and (("." in first or ":" in first) or first == "localhost" or first != first.lower()):
        domain, path = first, rest
    else:
        domain, path = DEFAULT_DOMAIN, name
    if domain == DEFAULT_DOMAIN and "/" not in path:
        path = "library/" + path
    if not _DOMAIN.fullmatch(domain) or not _NAME.fullmatch(path) or not _TAG.fullmatch(tag):
        raise BadImage(f"`{ref}` is not a valid image name (lowercase `repository[:tag]`)")
    return f"{domain}/{path}:{tag}"


def short(name: str) -> str:
    """The familiar form: `docker.io/library/busybox:latest` -> `busybox:latest`."""
    for prefix in (f"{DEFAULT_DOMAIN}/library/", f"{DEFAULT_DOMAIN}/"):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def tag_of(name: str) -> str:
    return name.rsplit(":", 1)[1]
