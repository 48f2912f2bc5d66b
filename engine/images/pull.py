"""Pull into the image store: registry client -> ContentStore (the BlobSink) -> unpacked layers -> a named image.

    service = ImageService(roots().state)
    with RegistryClient() as client:
        pulled = pull_image(service, client, "127.0.0.1:5000/app:1", progress=show)
    pulled.image.id, pulled.digest, pulled.fresh

The client verifies every blob as it streams into the store; `register` then
unpacks the layers the store lacks and points the name at the platform's manifest.
`digest` is what the registry calls the image (the index's digest when the tag
names an index, as `docker pull` prints it). A reference by digest alone gets no
name: the image is listed as `<none>`, as Docker does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from engine.images import names
from engine.images.errors import ImageNotFound
from engine.images.images import Image, ImageService
from engine.reference import Reference, parse_reference
from engine.registry import RegistryClient
from engine.registry.manifest import Platform, host_platform, parse_platform
from engine.registry.progress import Progress, ignore


@dataclass(frozen=True)
class Pulled:
    """What a pull got: the image and what was downloaded."""

    reference: Reference
    image: Image
    digest: str       # the index's digest when the tag named an index, else the manifest's
    fresh: bool       # False: the name already pointed at this manifest ("Image is up to date")
    layers: tuple[str, ...]  # the layer blob digests, bottom first


def pull_image(service: ImageService, client: RegistryClient, reference: str, *, platform: str | None = None,
               progress: Callable[[Progress], None] = ignore) -> Pulled:
    ref = parse_reference(reference)
    wanted: Platform = parse_platform(platform) if platform else host_platform()
    name = f"{ref.name}:{ref.tag}" if ref.tag else None
    before = _current(service, name)
    result = client.pull(ref, service.store, platform=wanted, progress=progress)
    image = service.register(result.manifest_digest, name, platform=(wanted.os, wanted.architecture))
    return Pulled(ref, image, result.index_digest or result.manifest_digest,
                  before != result.manifest_digest, tuple(d.digest for d in result.manifest.layers))


def _current(service: ImageService, name: str | None) -> str | None:
    if name is None:
        return None
    try:
        return service.store.resolve(names.normalize(name)).digest
    except ImageNotFound:
        return None
