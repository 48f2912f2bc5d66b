"""Descriptors, manifests, indexes and image configs, read from and written to JSON.

The classes are frozen views of the OCI image specification's objects; Docker's
schema 2 objects have the same shape with other media types. `raw` keeps what was
read, so a manifest's digest is always the digest of its exact bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from engine.images import digests, mediatypes
from engine.images.errors import BadImage

MAX_JSON = 4 << 20  # a manifest, index or config larger than this is refused, as registries do


@dataclass(frozen=True)
class Descriptor:
    """An OCI descriptor: media type, digest, size."""

    media_type: str
    digest: str
    size: int
    annotations: dict[str, str] = field(default_factory=dict, compare=False)
    platform: dict[str, Any] | None = field(default=None, compare=False)

    @classmethod
    def from_json(cls, obj: Any, where: str) -> Descriptor:
        if not isinstance(obj, dict):
            raise BadImage(f"{where}: a descriptor must be an object")
        try:
            digest = digests.check(obj["digest"])
            size = int(obj["size"])
        except (KeyError, TypeError, ValueError) as err:
            raise BadImage(f"{where}: a descriptor needs a digest and a size ({err})") from None
        return cls(str(obj.get("mediaType", "")), digest, size,
                   dict(obj.get("annotations") or {}), obj.get("platform"))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"mediaType": self.media_type, "digest": self.digest, "size": self.size}
        if self.annotations:
            out["annotations"] = dict(self.annotations)
        if self.platform:
            out["platform"] = dict(self.platform)
        return out


def load_json(data: bytes, what: str) -> dict[str, Any]:
    if len(data) > MAX_JSON:
        raise BadImage(f"{what} is {len(data)} bytes; more than {MAX_JSON} is refused")
    try:
        obj = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise BadImage(f"{what} is not JSON: {err}") from None
    if not isinstance(obj, dict):
        raise BadImage(f"{what} must be a JSON object")
    return obj


def dump_json(obj: Any) -> bytes:
    """Canonical bytes: sorted keys, no spaces, as Docker writes manifests and configs."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Manifest:
    """An OCI image manifest: config and layers."""

    media_type: str
    config: Descriptor
    layers: tuple[Descriptor, ...]
    raw: bytes = field(repr=False, compare=False)

    @property
    def digest(self) -> str:
        return digests.of_bytes(self.raw)

    @classmethod
    def parse(cls, data: bytes, media_type: str = "") -> Manifest:
        obj = load_json(data, "the image manifest")
        kind = obj.get("mediaType") or media_type or mediatypes.OCI_MANIFEST
        if kind not in mediatypes.MANIFESTS:
            raise BadImage(f"the image manifest has media type `{kind}`, not a manifest's")
        if "config" not in obj:
            raise BadImage("the image manifest has no config")
        layers = obj.get("layers") or []
        return cls(kind, Descriptor.from_json(obj["config"], "manifest config"),
                   tuple(Descriptor.from_json(d, f"manifest layer {i}") for i, d in enumerate(layers)), data)

    @classmethod
    def build(cls, config: Descriptor, layers: list[Descriptor], media_type: str = mediatypes.OCI_MANIFEST,
              annotations: dict[str, str] | None = None) -> Manifest:
        obj: dict[str, Any] = {"schemaVersion": 2, "mediaType": media_type, "config": config.to_json(),
                               "layers": [d.to_json() for d in layers]}
        if annotations:
            obj["annotations"] = annotations
        return cls(media_type, config, tuple(layers), dump_json(obj))

    def descriptor(self, annotations: dict[str, str] | None = None) -> Descriptor:
        return Descriptor(self.media_type, self.digest, len(self.raw), dict(annotations or {}))


@dataclass(frozen=True)
class Index:
    """An OCI index: manifests by platform."""

    media_type: str
    manifests: tuple[Descriptor, ...]

    @classmethod
    def parse(cls, data: bytes, media_type: str = "") -> Index:
        obj = load_json(data, "the image index")
        kind = obj.get("mediaType") or media_type or mediatypes.OCI_INDEX
        entries = obj.get("manifests")
        if not isinstance(entries, list):
            raise BadImage("the image index has no `manifests` list")
        return cls(kind, tuple(Descriptor.from_json(d, f"index entry {i}") for i, d in enumerate(entries)))

    def for_platform(self, os_name: str = "linux", arch: str = "amd64") -> Descriptor:
        """The manifest for this platform; an index without platforms gives its only manifest."""
        plain = [d for d in self.manifests if d.media_type in mediatypes.MANIFESTS or not d.media_type]
        for d in plain:
            p = d.platform or {}
            if p.get("os") == os_name and p.get("architecture") == arch:
                return d
        unplatformed = [d for d in plain if not d.platform]
        if len(unplatformed) >= 1:
            return unplatformed[0]
        raise BadImage(f"the image index has no manifest for {os_name}/{arch}")


@dataclass(frozen=True)
class ImageConfig:
    """An image configuration (OCI `config.json`); `obj` is the whole JSON object."""

    obj: dict[str, Any] = field(compare=False)
    raw: bytes = field(repr=False)

    @classmethod
    def parse(cls, data: bytes) -> ImageConfig:
        obj = load_json(data, "the image config")
        rootfs = obj.get("rootfs")
        if not isinstance(rootfs, dict) or not isinstance(rootfs.get("diff_ids"), list):
            raise BadImage("the image config has no rootfs.diff_ids")
        for d in rootfs["diff_ids"]:
            digests.check(d)
        return cls(obj, data)

    @classmethod
    def build(cls, obj: dict[str, Any]) -> ImageConfig:
        return cls(obj, dump_json(obj))

    @property
    def digest(self) -> str:
        return digests.of_bytes(self.raw)

    @property
    def diff_ids(self) -> tuple[str, ...]:
        return tuple(self.obj["rootfs"]["diff_ids"])

    @property
    def container_config(self) -> dict[str, Any]:
        return dict(self.obj.get("config") or {})

    def descriptor(self, media_type: str = mediatypes.OCI_CONFIG) -> Descriptor:
        return Descriptor(media_type, self.digest, len(self.raw))


def base_config(arch: str = "amd64") -> dict[str, Any]:
    """An empty image config: no layers, no history, the host's platform."""
    return {"architecture": arch, "os": "linux", "config": {}, "rootfs": {"type": "layers", "diff_ids": []},
            "history": []}
