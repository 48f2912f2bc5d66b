"""Push from the image store: a local image's manifest, config and layer blobs -> a registry.

    with RegistryClient() as client:
        pushed = push_image(service, client, "127.0.0.1:5000/app:1", progress=show)
    pushed.digest, pushed.size

The store is the client's source (`BlobSink.open`); the manifest goes up byte for
byte, so the digest the registry answers is the local manifest's digest and a
later pull gets the same image ID. Repositories of the same registry that the image
is also named in are offered to the registry for cross-repository mounts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from engine.images import names
from engine.images.errors import ImageNotFound
from engine.images.images import Image, ImageService
from engine.reference import Reference, parse_reference
from engine.registry import RegistryClient
from engine.registry.progress import Progress, ignore


@dataclass(frozen=True)
class Pushed:
    """What a push sent: the manifest's digest and size."""

    reference: Reference
    image: Image
    digest: str
    size: int  # the manifest's size, as `docker push` prints it


def push_image(service: ImageService, client: RegistryClient, reference: str, *,
               progress: Callable[[Progress], None] = ignore) -> Pushed:
    ref = parse_reference(reference)
    if ref.digest:
        image = service.get(reference.partition("@")[2])
    else:
        try:
            image = service.get(names.normalize(reference))
        except ImageNotFound:
            raise ImageNotFound(f"push `{ref.familiar}`: no such image: {reference}",
                                hint="`pycompose image tag SOURCE " + reference + "` names an image for a push") \
                from None
    siblings = [parse_reference(n) for n in image.names]
    mounts = sorted({s.path for s in siblings if s.domain == ref.domain and s.path != ref.path})
    digest = client.push(ref, service.store, image.manifest.digest, mount_from=mounts, progress=progress)
    return Pushed(ref, image, digest, len(image.manifest.raw))
