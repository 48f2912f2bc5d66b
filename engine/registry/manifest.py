"""Manifests and indexes, Docker schema 2 and OCI, and choosing one platform from an index.

    index (manifest list)  ->  manifests: [{digest, platform: {os, architecture, variant}}]
    manifest               ->  config: {digest, size}, layers: [{digest, size}, ...]

Platforms are written `os/arch[/variant]`. An index entry matches when os and
architecture are equal and, if a variant is asked for, the variant too (`arm64`
and `arm64/v8` are one platform). Without a variant, the highest variant the
highest variant in the index wins (`linux/arm` takes `v7` over `v6`); the host's
own platform carries its variant, so an ARMv6 host never gets `v7`.
"""

from __future__ import annotations

import json
import platform as _platform
from dataclasses import dataclass

from engine.registry.errors import BadContent, InvalidReference, NoMatchingPlatform

DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
MANIFESTS = frozenset({DOCKER_MANIFEST, OCI_MANIFEST})
INDEXES = frozenset({DOCKER_LIST, OCI_INDEX})
ACCEPT = ", ".join([OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST])
MANIFEST_MAX = 4 * 1024 * 1024  # the limit distribution puts on a manifest it accepts

_MACHINES = {"x86_64": ("amd64", ""), "amd64": ("amd64", ""), "aarch64": ("arm64", ""), "arm64": ("arm64", ""),
             "armv7l": ("arm", "v7"), "armv6l": ("arm", "v6"), "armv5tel": ("arm", "v5"), "i686": ("386", ""),
             "i386": ("386", ""), "ppc64le": ("ppc64le", ""), "s390x": ("s390x", ""), "riscv64": ("riscv64", "")}


@dataclass(frozen=True)
class Platform:
    """An image's platform: os, architecture, variant."""

    os: str
    architecture: str
    variant: str = ""

    def __str__(self) -> str:
        return "/".join(p for p in (self.os, self.architecture, self.variant) if p)

    def normalized(self) -> Platform:
        variant = "" if (self.architecture, self.variant) == ("arm64", "v8") else self.variant
        return Platform(self.os, self.architecture, variant)


def parse_platform(text: str) -> Platform:
    """`linux/arm64/v8` -> Platform("linux", "arm64", "v8")."""
    parts = text.strip().lower().split("/")
    if len(parts) not in (2, 3) or not all(parts):
        raise InvalidReference(f"invalid platform `{text}`: write it os/arch or os/arch/variant, e.g. linux/amd64")
    return Platform(*parts)


def host_platform() -> Platform:
    arch, variant = _MACHINES.get(_platform.machine(), (_platform.machine(), ""))
    return Platform("linux", arch, variant)


@dataclass(frozen=True)
class Descriptor:
    """A descriptor as a registry serves it."""

    media_type: str
    digest: str
    size: int
    platform: Platform | None = None


@dataclass(frozen=True)
class Manifest:
    """One image: its config blob and its layers, bottom first."""

    media_type: str
    config: Descriptor
    layers: tuple[Descriptor, ...]


@dataclass(frozen=True)
class Index:
    """A manifest list or OCI index as a registry serves it."""

    media_type: str
    manifests: tuple[Descriptor, ...]


def media_type_of(body: bytes, header: str, what: str) -> str:
    """The manifest's own `mediaType` wins over the Content-Type the registry sent."""
    document = _json(body, what)
    declared = document.get("mediaType") or header.split(";")[0].strip()
    if not declared and "manifests" in document:
        return OCI_INDEX
    if not declared and "layers" in document:
        return OCI_MANIFEST
    return str(declared)


def parse_manifest(body: bytes, media_type: str, what: str) -> Manifest | Index:
    document = _json(body, what)
    try:
        if media_type in INDEXES:
            return Index(media_type, tuple(_descriptor(d) for d in document["manifests"]))
        if media_type in MANIFESTS:
            return Manifest(media_type, _descriptor(document["config"]),
                            tuple(_descriptor(d) for d in document["layers"]))
    except (KeyError, TypeError, ValueError) as e:
        raise BadContent(f"{what}: the manifest is malformed ({type(e).__name__}: {e})") from None
    raise BadContent(f"{what}: unsupported manifest type `{media_type}` "
                     "(Docker schema 2 and OCI manifests and indexes are supported)")


def select(index: Index, wanted: Platform, what: str) -> Descriptor:
    """The index entry for `wanted`; `NoMatchingPlatform` listing what there is otherwise."""
    want = wanted.normalized()
    candidates = [d for d in index.manifests if d.platform is not None
                  and d.media_type not in INDEXES
                  and (d.platform.os, d.platform.architecture) == (want.os, want.architecture)]
    if want.variant:
        candidates = [d for d in candidates if d.platform and d.platform.normalized().variant == want.variant]
    else:
        candidates.sort(key=lambda d: _variant_rank(d.platform), reverse=True)
    if candidates:
        return candidates[0]
    available = ", ".join(sorted({str(d.platform) for d in index.manifests
                                  if d.platform and d.platform.os != "unknown"})) or "none"
    raise NoMatchingPlatform(f"{what}: no image for platform {wanted}; the index has: {available}",
                             hint="pick one of these with --platform")


def _variant_rank(platform: Platform | None) -> int:
    variant = platform.variant if platform else ""
    return int(variant[1:]) if variant[1:].isdigit() else 0


def _descriptor(d: dict) -> Descriptor:
    p = d.get("platform")
    plat = Platform(p.get("os", ""), p.get("architecture", ""), p.get("variant", "")) if isinstance(p, dict) else None
    size = int(d["size"])
    if size < 0:
        raise ValueError(f"negative size {size}")
    return Descriptor(str(d.get("mediaType", "")), _digest(str(d["digest"])), size, plat)


def _digest(digest: str) -> str:
    algorithm, _, hexa = digest.partition(":")
    if algorithm != "sha256" or len(hexa) != 64 or any(c not in "0123456789abcdef" for c in hexa):
        raise ValueError(f"`{digest}` is not a sha256 digest")
    return digest


def _json(body: bytes, what: str) -> dict:
    try:
        document = json.loads(body)
    except ValueError as e:
        raise BadContent(f"{what}: the manifest is not JSON ({e})") from None
    if not isinstance(document, dict):
        raise BadContent(f"{what}: the manifest is not a JSON object")
    return document
